// 重置密码: shows the one-time password of the API's answer once, beside the form that asked
// for it (app.js sends the form and dispatches `xueshi:done` with the answer). The password is
// put in the page as text only, never in a URL or in storage.
(function () {
  "use strict";
  document.addEventListener("xueshi:done", (ev) => {
    const form = ev.target;
    if (!form.matches || !form.matches("form[data-reset]")) return;
    const answer = ev.detail || {};
    const box = document.querySelector("[data-one-time]");
    if (!box || !answer.one_time_password) return;
    box.querySelector("[data-one-time-name]").textContent = answer.display_name || "";
    box.querySelector("[data-one-time-password]").textContent = answer.one_time_password;
    box.hidden = false;
  });
})();
