// The certificate report page: shows the answer of /api/base/certificates that app.js
// dispatches as "xueshi:done" — counts, then each rejected row. Text only (textContent).
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  const out = document.getElementById("report-result");
  if (!form || !out) return;

  function cell(tr, label, text, cls) {
    const c = document.createElement("td");
    c.textContent = String(text);
    c.dataset.label = label;
    if (cls) c.className = cls;
    tr.append(c);
    return c;
  }

  form.addEventListener("xueshi:done", (ev) => {
    const r = ev.detail || {};
    const rejected = Array.isArray(r.rejected) ? r.rejected : [];
    out.hidden = false;
    out.querySelector("[data-k=total]").textContent = r.total_rows ?? 0;
    out.querySelector("[data-k=written]").textContent = r.written ?? 0;
    out.querySelector("[data-k=present]").textContent = r.already_present ?? 0;
    out.querySelector("[data-k=rejected]").textContent = r.rejected_rows ?? rejected.length;
    const body = out.querySelector("tbody");
    body.textContent = "";
    for (const p of rejected) {
      const tr = document.createElement("tr");
      cell(tr, "行号", p.row, "num");
      cell(tr, "列", p.column);
      cell(tr, "原因", p.message);
      // The code is for programs (data-code), the reason for people.
      tr.dataset.code = p.code;
      body.append(tr);
    }
    if ((r.problems ?? 0) > rejected.length) {
      const tr = document.createElement("tr");
      cell(tr, "行号", "…");
      cell(tr, "列", "");
      cell(tr, "原因", "共 " + r.problems + " 个问题，以上列出前 " + rejected.length + " 个");
      body.append(tr);
    }
    out.querySelector(".rejected").hidden = rejected.length === 0;
    out.querySelector(".all-good").hidden = rejected.length !== 0;
    out.focus();
  });
})();
