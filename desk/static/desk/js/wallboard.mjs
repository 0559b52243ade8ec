// The wallboard refreshes itself every 10 seconds from ?format=json (progressive enhancement:
// without JavaScript the page is the same table, reloaded by hand). No inline script: strict CSP.
const table = document.getElementById("wallboard");
const updated = document.getElementById("wallboard-updated");
const PERIOD_MS = 10_000;

function text(line, field) {
  const value = line[field];
  if (value === null || value === undefined) return "–";
  const share = { answered_within_60_today: "answered_within_60_share", abandoned_today: "abandoned_share" }[field];
  if (share && line[share] !== null && line[share] !== undefined) return `${value} (${line[share]}%)`;
  return String(value);
}

async function refresh() {
  try {
    const response = await fetch(table.dataset.wallboardUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    });
    if (!response.ok) return;
    const board = await response.json();
    for (const line of board.lines) {
      const row = table.querySelector(`tr[data-line="${CSS.escape(line.key)}"]`);
      if (!row) continue;
      const agents = Object.values(line.agents);
      for (const cell of row.querySelectorAll("[data-field]")) {
        const field = cell.dataset.field;
        cell.textContent = field.startsWith("agents.")
          ? String(agents[Number(field.slice(7))] ?? 0)
          : text(line, field);
      }
    }
    if (updated) {
      const when = board.generated_at.slice(11, 16);
      updated.textContent = updated.textContent.replace(/\d\d:\d\d/, when);
    }
  } catch {
    // Offline for a moment: keep the last figures and try again next time.
  }
}

if (table && table.dataset.wallboardUrl) {
  setInterval(refresh, PERIOD_MS);
}
