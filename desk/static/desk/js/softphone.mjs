// The desk's softphone: Twilio's Voice JavaScript SDK (2.x, served by us as
// /static/twilio/twilio.min.js, which defines window.Twilio) driven by the markup of
// desk/templates/desk/calls/includes/softphone.html.
//
// Without JavaScript the page offers "Log a call from a desk phone"; this script reveals the
// controls when it starts and falls back to that link (with "Cannot reach Twilio") whenever
// the token, the SDK or the connection to Twilio fails. Every word shown comes from the
// template's data-text-* attributes, translated there.
//
// Calls the agent places go to the TwiML App's Voice URL with an Intent: "next" (the next
// caller they may serve) or "call" with To (a number the routing checks: only numbers on the
// call-back list or a case the agent may see are ever dialled).

const root = document.getElementById("softphone");

if (root) {
  start(root);
}

function start(root) {
  const $ = (id) => document.getElementById(id);
  const text = (name) => root.dataset[`text${name.replace(/(^|-)(\w)/g, (_m, _d, c) => c.toUpperCase())}`] || "";
  const ui = {
    tag: $("softphone-state"),
    detail: $("softphone-detail"),
    timerLine: $("softphone-timer-line"),
    timer: $("softphone-timer"),
    fallback: $("softphone-fallback"),
    retryWrap: $("softphone-retry-wrap"),
    retry: $("softphone-retry"),
    controls: $("softphone-controls"),
    next: $("softphone-next"),
    answer: $("softphone-answer"),
    hangup: $("softphone-hangup"),
    mute: $("softphone-mute"),
    dial: $("softphone-dial"),
    number: $("softphone-number"),
    call: $("softphone-call"),
    keypad: $("softphone-keypad"),
  };
  const TAGS = {
    connecting: "govuk-tag--grey",
    ready: "govuk-tag--green",
    ringing: "govuk-tag--yellow",
    calling: "govuk-tag--blue",
    "on-call": "govuk-tag--blue",
    muted: "govuk-tag--orange",
    ended: "govuk-tag--grey",
    failed: "govuk-tag--red",
  };
  const connectTimeout = Number(root.dataset.connectTimeout) || 10000;

  let device = null;
  let call = null; // the call in progress or ringing
  let registered = false;
  let state = "connecting";
  let timerHandle = null;
  let connectHandle = null;
  let callStarted = 0;
  let attempts = 0;

  // --- what the agent sees -------------------------------------------------------------------
  function show(next, detailKey) {
    state = next;
    ui.tag.className = `govuk-tag ${TAGS[next] || ""}`.trim();
    ui.tag.textContent = text(next);
    ui.detail.textContent = text(`detail-${detailKey || next}`);
    root.dataset.state = next;
    const failed = next === "failed";
    // "Log a call from a desk phone" stays on offer until Twilio has taken the registration.
    const hadFocus = ui.fallback.contains(document.activeElement);
    ui.fallback.hidden = registered && !failed;
    ui.retryWrap.hidden = !(failed || (next === "connecting" && attempts > 1));
    const inCall = call !== null && ["on-call", "muted"].includes(next);
    ui.answer.disabled = next !== "ringing";
    ui.hangup.disabled = call === null;
    ui.mute.disabled = !inCall;
    const free = registered && call === null && !failed;
    ui.next.disabled = !free;
    ui.call.disabled = !free;
    if (!inCall) {
      ui.mute.setAttribute("aria-pressed", "false");
    }
    if (hadFocus && ui.fallback.hidden) {
      ui.next.focus();
    }
  }

  function fail(detailKey) {
    clearTimeout(connectHandle);
    registered = false;
    show("failed", detailKey || "failed");
  }

  function tick() {
    const seconds = Math.floor((Date.now() - callStarted) / 1000);
    const mm = String(Math.floor(seconds / 60)).padStart(2, "0");
    const ss = String(seconds % 60).padStart(2, "0");
    ui.timer.textContent = `${mm}:${ss}`;
  }

  function startTimer() {
    callStarted = Date.now();
    tick();
    ui.timerLine.hidden = false;
    clearInterval(timerHandle);
    timerHandle = setInterval(tick, 1000);
  }

  function stopTimer() {
    clearInterval(timerHandle);
    timerHandle = null;
  }

  // --- the token -----------------------------------------------------------------------------
  async function fetchToken() {
    const response = await fetch(root.dataset.tokenUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) {
      throw new Error(`token ${response.status}`);
    }
    const data = await response.json();
    if (!data.token) {
      throw new Error("token missing");
    }
    return data.token;
  }

  // --- the device ----------------------------------------------------------------------------
  async function connectDevice() {
    clearTimeout(connectHandle);
    attempts += 1;
    if (device) {
      const old = device;
      device = null;
      old.destroy();
    }
    registered = false;
    show("connecting");
    if (!navigator.onLine) {
      fail("offline");
      return;
    }
    const Twilio = window.Twilio;
    if (!Twilio || !Twilio.Device) {
      fail("no-sdk");
      return;
    }
    if (Twilio.Device.isSupported === false) {
      fail("failed");
      return;
    }
    let token;
    try {
      token = await fetchToken();
    } catch (_error) {
      fail("no-token");
      return;
    }
    let current;
    try {
      current = new Twilio.Device(token, {
        edge: root.dataset.edge || undefined,
        closeProtection: true,
        codecPreferences: ["opus", "pcmu"],
        logLevel: "error",
      });
    } catch (_error) {
      fail("failed");
      return;
    }
    device = current;
    // Events of a device we have since replaced (Try again) are ignored.
    const on = (name, handler) =>
      current.on(name, (...args) => {
        if (device === current) {
          handler(...args);
        }
      });
    on("registered", () => {
      clearTimeout(connectHandle);
      registered = true;
      if (call === null) {
        show("ready");
      }
    });
    on("unregistered", () => {
      registered = false;
      if (call === null && state !== "failed") {
        fail("failed");
      }
    });
    on("error", () => {
      if (call === null) {
        fail("failed");
      }
    });
    on("incoming", (incoming) => {
      if (call !== null) {
        incoming.reject();
        return;
      }
      watch(incoming);
      show("ringing");
      ui.answer.focus();
    });
    on("tokenWillExpire", async () => {
      try {
        current.updateToken(await fetchToken());
      } catch (_error) {
        // The current token is still valid for a little while; the next failure shows up as
        // an error or an unregistration, and the agent can try again.
      }
    });
    // Twilio's signalling cannot be reached (no network to Twilio, a firewall): the SDK keeps
    // retrying by itself and "registered" still moves us to Ready if it gets through.
    connectHandle = setTimeout(() => {
      if (device === current && !registered) {
        fail("failed");
      }
    }, connectTimeout);
    try {
      await current.register();
    } catch (_error) {
      if (device === current) {
        fail("failed");
      }
    }
  }

  function watch(current) {
    call = current;
    current.on("accept", () => {
      show("on-call");
      startTimer();
    });
    current.on("mute", (muted) => {
      ui.mute.setAttribute("aria-pressed", muted ? "true" : "false");
      show(muted ? "muted" : "on-call");
    });
    const ended = () => {
      if (call !== current) {
        return;
      }
      call = null;
      stopTimer();
      show("ended");
    };
    current.on("disconnect", ended);
    current.on("cancel", ended);
    current.on("reject", ended);
    current.on("error", ended);
  }

  async function place(params) {
    if (!device || !registered || call !== null) {
      return;
    }
    show("calling");
    try {
      const outgoing = await device.connect({ params });
      watch(outgoing);
      show("calling");
    } catch (_error) {
      call = null;
      fail("failed");
    }
  }

  // --- controls ------------------------------------------------------------------------------
  ui.next.addEventListener("click", () => place({ Intent: "next" }));
  ui.answer.addEventListener("click", () => {
    if (call && state === "ringing") {
      call.accept();
    }
  });
  ui.hangup.addEventListener("click", () => {
    if (!call) {
      return;
    }
    if (state === "ringing") {
      call.reject();
    } else {
      call.disconnect();
    }
  });
  ui.mute.addEventListener("click", () => {
    if (call) {
      call.mute(!call.isMuted());
    }
  });
  ui.retry.addEventListener("click", () => connectDevice());
  ui.dial.addEventListener("submit", (event) => {
    event.preventDefault();
    const number = ui.number.value.trim();
    if (!number) {
      ui.detail.textContent = text("detail-no-number");
      ui.number.focus();
      return;
    }
    place({ Intent: "call", To: number });
  });

  function press(digit) {
    if (call && ["on-call", "muted"].includes(state)) {
      call.sendDigits(digit);
    } else {
      ui.number.value += digit;
    }
  }
  ui.keypad.addEventListener("click", (event) => {
    const key = event.target.closest("[data-digit]");
    if (key) {
      press(key.dataset.digit);
    }
  });
  // Number keys work anywhere in the softphone except where they are typed (the number box).
  root.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (!/^[0-9*#]$/.test(event.key) || event.target.closest("input, textarea, select")) {
      return;
    }
    event.preventDefault();
    press(event.key);
  });

  // Buttons elsewhere on the page (call-back list, case page) with data-softphone-call="<number>"
  // place the call in one click; they are shown only while the softphone runs.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-softphone-call]");
    if (!button) {
      return;
    }
    event.preventDefault();
    ui.number.value = button.dataset.softphoneCall;
    if (registered && call === null) {
      place({ Intent: "call", To: ui.number.value });
    } else {
      ui.number.focus();
    }
  });
  for (const element of document.querySelectorAll("[data-softphone-only]")) {
    element.hidden = false;
  }

  window.addEventListener("offline", () => {
    if (call === null) {
      fail("offline");
    }
  });
  window.addEventListener("online", () => {
    if (state === "failed") {
      connectDevice();
    }
  });

  ui.controls.hidden = false;
  connectDevice();
}
