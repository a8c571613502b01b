// The console's passkey ceremonies: ask the ledger for WebAuthn options, hand them to the
// browser, send its answer back; and the evidence page's print button. Everything else in the
// console works without script.
// Uses the browser's own JSON (de)serialisers of WebAuthn options (PublicKeyCredential
// .parseCreationOptionsFromJSON / .parseRequestOptionsFromJSON, credential.toJSON()).
"use strict";

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? "{}" : JSON.stringify(body),
  });
  const text = await response.text();
  let json = {};
  try { json = text ? JSON.parse(text) : {}; } catch { /* not JSON: keep the status */ }
  if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
  return json;
}

function say(id, text) {
  const element = document.getElementById(id);
  if (!element) return;
  element.textContent = text;
  element.hidden = !text;
}

function failure(error) {
  // The browser's own refusals (the person cancelled, no passkey) are named plainly.
  if (error && error.name === "NotAllowedError") return "未完成：操作被取消或超时 / not completed: cancelled or timed out";
  return (error && error.message) || String(error);
}

async function signIn(button) {
  say("sign-in-error", "");
  say("sign-in-status", "请按提示使用通行密钥… / Use your passkey…");
  button.disabled = true;
  try {
    const options = await post("/api/session/options");
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey);
    const credential = await navigator.credentials.get({ publicKey });
    await post("/api/session", credential.toJSON());
    say("sign-in-status", "已登录 / Signed in");
    window.location.assign("/console/");
  } catch (error) {
    say("sign-in-status", "");
    say("sign-in-error", failure(error));
    button.disabled = false;
  }
}

async function register(button) {
  const token = button.dataset.token;
  say("register-error", "");
  say("register-status", "请按提示登记通行密钥… / Follow the prompts to register…");
  button.disabled = true;
  try {
    const options = await post(`/api/enrolment/${encodeURIComponent(token)}/options`);
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey);
    const credential = await navigator.credentials.create({ publicKey });
    await post(`/api/enrolment/${encodeURIComponent(token)}`, credential.toJSON());
    say("register-status", "通行密钥已登记，请用它登录 / Passkey registered: sign in with it");
    document.getElementById("register-done").hidden = false;
    button.hidden = true;
  } catch (error) {
    say("register-status", "");
    say("register-error", failure(error));
    button.disabled = false;
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  if (button.dataset.action === "sign-in") signIn(button);
  if (button.dataset.action === "register") register(button);
  if (button.dataset.action === "print") window.print();
});
