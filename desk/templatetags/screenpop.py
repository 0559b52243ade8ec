"""``{% screen_pop call %}``: the caller's language and whether an interpreter is needed."""

from django import template

from desk.calls.screenpop import caller_language

register = template.Library()


@register.inclusion_tag("desk/calls/includes/screen_pop.html", takes_context=True)
def screen_pop(context, call):
    request = context.get("request")
    return {"language": caller_language(call, getattr(request, "user", None))}
