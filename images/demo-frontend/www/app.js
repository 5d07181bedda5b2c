// Calls the demo API through the proxy; a separate file because the Content-Security-Policy allows no inline script.
document.getElementById("check").addEventListener("click", async () => {
  const out = document.getElementById("db");
  try {
    const res = await fetch("/api/db", { credentials: "same-origin" });
    out.textContent = res.ok ? JSON.stringify(await res.json()) : `HTTP ${res.status}`;
  } catch (e) {
    out.textContent = `error: ${e}`;
  }
});
