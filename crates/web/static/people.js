// xueshi pages of professionals and units, beside app.js (which sends every form):
// - staff pickers: checkboxes [data-pick] (value: person id) fill every hidden
//   [data-picked] input as "1,2,3" (sent by app.js as data-type="ints"); [data-pick-all]
//   toggles the page; [data-pick-count] shows how many; forms needing a pick stay disabled
//   until there is one;
// - the import form: [data-keep-good] switches its ?keep_good=; the per-row report the API
//   answers is shown in the element named by data-report;
// - form[data-batch]: one API call per picked item, in turn — a year page submitted, a page
//   stamped — to data-batch-url with "{id}" replaced by the item's value, sending
//   data-batch-body (JSON) if any; data-batch-confirm and data-batch-ok ("{n}": how many) are
//   what people read before and after, data-batch-fail heads the items that failed (each
//   named by its checkbox's aria-label, with the API's message). Each call is its own act.
(function () {
  "use strict";
  const csrf = () => {
    const m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  };

  function picked() {
    return Array.from(document.querySelectorAll("input[data-pick]:checked")).map((c) => c.value);
  }

  function sync() {
    const ids = picked();
    document.querySelectorAll("input[data-picked]").forEach((h) => {
      h.value = ids.join(",");
      const form = h.form;
      if (form) form.querySelectorAll('button[type="submit"]').forEach((b) => (b.disabled = ids.length === 0));
    });
    document.querySelectorAll("[data-pick-count]").forEach((e) => (e.textContent = String(ids.length)));
    document.querySelectorAll("form[data-batch] button").forEach((b) => (b.disabled = ids.length === 0));
    const all = document.querySelector("input[data-pick-all]");
    const boxes = document.querySelectorAll("input[data-pick]");
    if (all) all.checked = boxes.length > 0 && ids.length === boxes.length;
  }

  document.addEventListener("change", (ev) => {
    const t = ev.target;
    if (t.matches("input[data-pick-all]")) {
      document.querySelectorAll("input[data-pick]").forEach((c) => (c.checked = t.checked));
    }
    if (t.matches("input[data-pick], input[data-pick-all]")) sync();
    if (t.matches("input[data-keep-good]") && t.form) {
      const api = t.form.dataset.api.replace(/\?keep_good=(true|false)$/, "");
      t.form.dataset.api = api + "?keep_good=" + (t.checked ? "true" : "false");
    }
  });

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function report(target, r) {
    target.textContent = "";
    const card = el("div", undefined, "card");
    const bad = r.rejected_rows > 0;
    const kept = r.mode === "keep_good";
    card.append(el("h2", "导入结果"));
    card.append(el("p", r.summary, bad && !kept ? "msg bad" : "msg ok"));
    const kv = el("dl", undefined, "kv");
    const add = (k, v) => { kv.append(el("dt", k)); kv.append(el("dd", v)); };
    add("数据行", String(r.total_rows));
    add("已写入", r.written + (r.written_list ? "（第 " + r.written_list + " 行）" : ""));
    add("已存在未重复写入", r.already_present + (r.present_list ? "（第 " + r.present_list + " 行）" : ""));
    add("有错误的行", String(r.rejected_rows));
    if (r.ignored_columns.length) add("未识别的列（已忽略）", r.ignored_columns.join("、"));
    card.append(kv);
    if (bad) {
      card.append(el("h3", kept ? "以下各行未导入" : "存在错误，未导入任何数据。请改正以下各行后重新导入，或勾选“仍导入正确的行”"));
      const wrap = el("div", undefined, "table-wrap");
      const table = el("table");
      const head = el("tr");
      ["行", "列", "原因"].forEach((h) => { const th = el("th", h); th.scope = "col"; head.append(th); });
      const thead = el("thead"); thead.append(head); table.append(thead);
      const body = el("tbody");
      r.rejected.forEach((p) => {
        const tr = el("tr");
        tr.append(el("td", String(p.row), "num"));
        tr.append(el("td", p.column || "（整行）"));
        // The code is for programs (data-code), the reason for people.
        tr.dataset.code = p.code;
        tr.append(el("td", p.message));
        body.append(tr);
      });
      table.append(body); wrap.append(table); card.append(wrap);
      if ((r.problems ?? 0) > r.rejected.length) {
        card.append(el("p", "共 " + r.problems + " 个问题，以上列出前 " + r.rejected.length + " 个", "msg"));
      }
    }
    target.append(card);
    card.scrollIntoView({ block: "start" });
  }

  document.addEventListener("xueshi:done", (ev) => {
    const form = ev.target;
    if (form.dataset && form.dataset.report && ev.detail) {
      const target = document.querySelector(form.dataset.report);
      if (target) report(target, ev.detail);
    }
  });

  document.addEventListener("submit", async (ev) => {
    const form = ev.target.closest("form[data-batch]");
    if (!form) return;
    ev.preventDefault();
    const ids = picked();
    const out = form.querySelector(".msg");
    if (!ids.length) return;
    const d = form.dataset;
    if (!window.confirm(d.batchConfirm.replace("{n}", String(ids.length)))) return;
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    const headers = { "x-csrf-token": csrf() };
    if (d.batchBody) headers["content-type"] = "application/json";
    let ok = 0;
    const failed = [];
    for (const id of ids) {
      const res = await fetch(d.batchUrl.replace("{id}", id), {
        method: "POST", headers, credentials: "same-origin", body: d.batchBody || undefined,
      });
      if (res.ok) { ok += 1; continue; }
      let msg = "请求未能完成";
      try { const j = await res.json(); msg = j.message; } catch (_) { /* not JSON */ }
      const box = document.querySelector('input[data-pick][value="' + CSS.escape(id) + '"]');
      const name = box ? box.getAttribute("aria-label").replace(/^选择 /, "") : id;
      failed.push(name + "：" + msg);
    }
    if (out) {
      out.className = "msg " + (failed.length ? "bad" : "ok");
      out.textContent = d.batchOk.replace("{n}", String(ok)) + (failed.length ? "；" + d.batchFail + "：" + failed.join("；") : "");
    }
    if (!failed.length) {
      // Said again on the reloaded page (app.js shows the flash).
      try { window.sessionStorage.setItem("xueshi:flash", out ? out.textContent : ""); } catch (_) { /* storage off */ }
      window.location.reload();
    } else if (button) button.disabled = false;
  });

  sync();
})();
