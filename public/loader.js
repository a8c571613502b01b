// Starts the Paicha wasm app and manages the service worker.
// External module (not inline) because the CSP forbids 'unsafe-inline'.
// The build replaces {{app_js}} / {{app_wasm}} with content-hashed names.
import init from "{{app_js}}";

const loading = document.getElementById("loading");

// The interface language chosen earlier (src/i18n.rs keeps it as JSON in localStorage), set
// before the app starts so the first paint and screen readers use it.
try {
  const lang = JSON.parse(localStorage.getItem("paicha.lang") ?? "null");
  if (lang === "en" || lang === "zh-CN") document.documentElement.lang = lang;
} catch {
  // A damaged preference is not worth failing over: Chinese is the default.
}
const english = document.documentElement.lang === "en";
if (english && loading) loading.textContent = "Loading…";

// Resolve against this module, not the document, so the URL is right whatever
// path the page was opened at.
init({ module_or_path: new URL("{{app_wasm}}", import.meta.url) })
  .then(() => loading?.remove())
  .catch((err) => {
    console.error(err);
    if (loading) {
      loading.className = "error";
      loading.textContent = english ? "Failed to load, please reload." : "加载失败，请刷新重试。";
    }
  });

registerServiceWorker();

// An updated worker waits until the user agrees (so an open inspection is
// never reloaded under them). The app listens for `paicha:update-ready` and
// calls `window.paichaApplyUpdate()` when the user accepts.
function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const sw = navigator.serviceWorker;
  let updateRequested = false;

  sw.register(new URL("./sw.js", import.meta.url), { scope: "./", updateViaCache: "none" })
    .then((reg) => {
      const announce = () => {
        if (!reg.waiting || !sw.controller) return; // first install: nothing to update
        window.paichaUpdateReady = true;
        window.dispatchEvent(new CustomEvent("paicha:update-ready"));
      };
      window.paichaApplyUpdate = () => {
        updateRequested = true;
        reg.waiting?.postMessage({ type: "SKIP_WAITING" });
      };
      announce();
      reg.addEventListener("updatefound", () => {
        const next = reg.installing;
        next?.addEventListener("statechange", () => {
          if (next.state === "installed") announce();
        });
      });
    })
    .catch((err) => console.warn("service worker registration failed", err));

  // Reload only for an update the user asked for, not for the first claim.
  sw.addEventListener("controllerchange", () => {
    if (updateRequested) location.reload();
  });
}
