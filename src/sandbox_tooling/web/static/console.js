// sbx console: small progressive enhancements (the pages work without them).
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches && el.matches("[data-autosubmit]")) {
    const form = el.form;
    if (form) form.requestSubmit();
  }
});
document.addEventListener("click", async (event) => {
  const button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
  } catch (e) {
    document.execCommand("copy");
  }
  button.textContent = "Copied";
});
// Typed confirmations: the button is enabled once the name is typed exactly.
function armConfirm(form) {
  const input = form.querySelector("input[name=confirm]");
  const button = form.querySelector("button[type=submit]");
  if (!input || !button) return;
  const check = () => { button.disabled = input.value.trim() !== form.dataset.confirm; };
  input.addEventListener("input", check);
  check();
}
function init(root) {
  root.querySelectorAll("form[data-confirm]").forEach(armConfirm);
}
document.addEventListener("DOMContentLoaded", () => init(document));
document.addEventListener("htmx:afterSwap", (event) => init(event.target));
