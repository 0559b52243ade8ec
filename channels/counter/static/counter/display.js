// The waiting-area display: refresh the calls in place, and announce new ones aloud if asked.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh), so this file is an
// improvement, never a requirement. Strings come from the page's data attributes (translated).
const POLL_MS = 5000;
const main = document.getElementById("main-content");
const list = document.getElementById("counter-calls");
const waiting = document.getElementById("counter-waiting");
const button = document.getElementById("counter-speak");
const canSpeak = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;
let speaking = main.dataset.speak === "1" && canSpeak;
let seen = null; // what has been announced already: "code@called" keys

const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));

// "A012" is read as "A twelve" by most voices; letter and digits one by one is clearer.
const spell = (code) => code.split("").join(" ");

function announce(call) {
  if (!speaking) return;
  const utterance = new SpeechSynthesisUtterance(
    fill(main.dataset.say, { code: spell(call.code), desk: call.desk ?? "" }),
  );
  utterance.lang = document.documentElement.lang || "en-GB";
  window.speechSynthesis.speak(utterance);
}

function render(data) {
  const items = data.calls.map((call, index) => {
    const item = document.createElement("li");
    item.className = "portal-counter-display__call" + (index === 0 ? " portal-counter-display__call--latest" : "");
    const code = document.createElement("span");
    code.className = "portal-counter-display__code";
    code.textContent = call.code;
    const desk = document.createElement("span");
    desk.className = "portal-counter-display__desk";
    desk.textContent = fill(main.dataset.deskLabel, { desk: call.desk ?? "" });
    item.append(code, " ", desk);
    return item;
  });
  if (items.length) list.replaceChildren(...items);
  else {
    const none = list.querySelector(".portal-counter-display__call--none");
    if (!none) list.replaceChildren();
  }
  // Written by the server in the page's language, with that language's plural forms.
  waiting.textContent = data.waiting_text;
  const keys = data.calls.map((call) => `${call.code}@${call.called}`);
  if (seen !== null) {
    data.calls.filter((call, i) => !seen.has(keys[i])).reverse().forEach(announce);
  }
  seen = new Set(keys);
}

async function poll() {
  try {
    const response = await fetch(main.dataset.jsonUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (response.ok) render(await response.json());
  } catch (error) {
    // The network blinked: keep showing the last calls and try again on the next tick.
    console.warn("display refresh failed", error);
  }
}

if (canSpeak) {
  button.hidden = false;
  button.addEventListener("click", () => {
    speaking = !speaking;
    button.textContent = speaking ? main.dataset.speakOn : main.dataset.speakOff;
    if (!speaking) window.speechSynthesis.cancel();
  });
}
poll();
setInterval(poll, POLL_MS);
