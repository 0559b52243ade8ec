from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "case_search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # services must not import search, so search listens to services' models.
        from search import signals

        signals.connect()
