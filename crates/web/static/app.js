// xueshi pages: every <form data-api="/api/…"> is sent as JSON to the API with the session's
// CSRF token; the API's Chinese message is shown in the form's .msg region. No framework, no
// build step. Form attributes:
//   data-api="/api/records/{id}/void"  URL; {name} is taken from the form field of that name
//   data-method="POST|DELETE|…"          default POST
//   data-then="reload" | "/path/{id}"   after success: reload, or go to a path ({key} from the
//                                        JSON answer); absent: show data-ok (or 已保存)
//   data-confirm="…"                     ask first
//   data-ok="…"                          the success message; with data-then it is shown on the
//                                        page reached (kept for one page in sessionStorage)
//   data-body="file"                     send the form's file input raw (its own Content-Type)
// Field attributes: data-type="int" | "bool" | "ints" (comma/space separated) | "lines";
//   name="a.b" nests; empty fields are left out; data-upload="/api/evidence" on a file input
//   uploads the file first and puts the answer's `hash` under the field's name;
//   data-same-as="id" must equal that field (not sent).
// Lists: an element with data-list="reasons" inside the form (a table row, a fieldset) makes
//   one object of the array `reasons` from its named fields, in page order; with
//   data-list-if="reason" the object is left out unless that field is filled.
(function () {
  "use strict";
  const csrf = () => {
    const m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  };

  function setPath(obj, path, value) {
    const keys = path.split(".");
    let o = obj;
    for (let i = 0; i < keys.length - 1; i++) {
      o = o[keys[i]] = o[keys[i]] || {};
    }
    o[keys[keys.length - 1]] = value;
  }

  function value(el) {
    const t = el.dataset.type;
    if (t === "bool") return el.checked;
    if (el.type === "checkbox") return el.checked ? el.value : undefined;
    if (el.type === "radio") return el.checked ? el.value : undefined;
    const v = el.value.trim();
    if (v === "") return undefined;
    if (t === "int") return Number.parseInt(v, 10);
    if (t === "ints") return v.split(/[\s,，、]+/).filter(Boolean).map((x) => Number.parseInt(x, 10));
    if (t === "lines") return v.split(/\n/).map((x) => x.trim()).filter(Boolean);
    return v;
  }

  function show(form, text, ok) {
    let out = form.querySelector(".msg");
    if (!out) {
      out = document.createElement("p");
      out.className = "msg";
      out.setAttribute("role", "status");
      out.setAttribute("aria-live", "polite");
      form.appendChild(out);
    }
    out.className = "msg " + (ok ? "ok" : "bad");
    out.textContent = "";
    out.append(text);
  }

  // An API error as people read it: its Chinese message only. The stable code stays for
  // programs and support in data-code (and the HTTP status in data-status), never as text.
  function problem(body, status) {
    const span = document.createElement("span");
    span.textContent = (body && body.message) || (status >= 500 ? "系统暂时无法处理，请稍后重试" : "请求未能完成，请检查后重试");
    if (body && body.code) span.dataset.code = body.code;
    span.dataset.status = String(status);
    return span;
  }

  async function send(url, method, body, contentType) {
    const headers = { "x-csrf-token": csrf() };
    if (contentType) headers["content-type"] = contentType;
    const res = await fetch(url, { method, headers, body, credentials: "same-origin" });
    let json = null;
    const type = res.headers.get("content-type") || "";
    if (type.includes("json")) json = await res.json();
    return { res, json };
  }

  // Where a form may lead: only a path of this site (as crates/web/src/next.rs rules): no
  // control character or white space, one leading "/", no backslash — and the same once percent-decoded, three rounds —
  // and, resolved by the browser itself, this origin. Anything else goes home.
  function localPath(target) {
    const plain = (s) => /^\/(?![\/\\])/.test(s) && !/[\s\x00-\x1f\x7f-\x9f\\\u200b]/.test(s);
    if (typeof target !== "string" || /[{}"<>`]/.test(target) || !plain(target)) return "/";
    let text = target;
    for (let i = 0; i < 3; i++) {
      let decoded;
      try { decoded = decodeURIComponent(text); } catch (_) { return "/"; }
      if (decoded === text) break;
      if (!plain(decoded)) return "/";
      text = decoded;
    }
    let url;
    try { url = new URL(target, window.location.origin); } catch (_) { return "/"; }
    if (url.origin !== window.location.origin) return "/";
    return url.pathname + url.search + url.hash;
  }

  function fill(template, source, used) {
    return template.replace(/\{(\w+)\}/g, (_, k) => {
      if (used) used.add(k);
      const v = source[k];
      return v === undefined || v === null ? "" : encodeURIComponent(v);
    });
  }

  async function submit(form) {
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    const fields = {};
    const body = {};
    const used = new Set();
    for (const el of form.elements) {
      if (el.dataset.sameAs) {
        const other = document.getElementById(el.dataset.sameAs);
        if (other && other.value !== el.value) {
          show(form, "两次输入的内容不一致", false);
          el.focus();
          return;
        }
      }
      if (el.name) fields[el.name] = el.value;
    }
    const url = fill(form.dataset.api, fields, used);
    const method = (form.dataset.method || "POST").toUpperCase();
    let payload;
    let contentType;
    if (form.dataset.body === "file") {
      const input = form.querySelector('input[type="file"]');
      const file = input && input.files[0];
      if (!file) {
        show(form, "请选择文件", false);
        return;
      }
      payload = file;
      contentType = file.type || "application/octet-stream";
    } else {
      for (const el of form.elements) {
        if (!el.name || used.has(el.name) || el.disabled) continue;
        if (el.closest("[data-list]")) continue;
        if (el.type === "file") {
          const file = el.files[0];
          if (!file || !el.dataset.upload) continue;
          const up = await send(el.dataset.upload, "POST", file, file.type || "application/octet-stream");
          if (!up.res.ok) {
            show(form, problem(up.json, up.res.status), false);
            return;
          }
          setPath(body, el.name, up.json.hash);
          continue;
        }
        const v = value(el);
        if (v !== undefined) setPath(body, el.name, v);
      }
      for (const item of form.querySelectorAll("[data-list]")) {
        const obj = {};
        for (const el of item.querySelectorAll("input, select, textarea")) {
          if (!el.name || el.disabled) continue;
          const v = value(el);
          if (v !== undefined) setPath(obj, el.name, v);
        }
        const list = (body[item.dataset.list] = body[item.dataset.list] || []);
        if (item.dataset.listIf && obj[item.dataset.listIf] === undefined) continue;
        list.push(obj);
      }
      if (method !== "GET" && method !== "DELETE") {
        payload = JSON.stringify(body);
        contentType = "application/json";
      }
    }
    // Asked before saving (data-precheck, e.g. the registration form): when the answer warns
    // (the engine would not credit the record, or less than claimed), the person reads why and
    // chooses; nothing is written unless they go on.
    if (form.dataset.precheck && contentType === "application/json") {
      const pre = await send(form.dataset.precheck, "POST", payload, contentType);
      if (!pre.res.ok) {
        show(form, problem(pre.json, pre.res.status), false);
        return;
      }
      if (pre.json && pre.json.warn && !window.confirm(pre.json.message + "\n\n仍要登记吗？")) {
        show(form, pre.json.message + "未登记。", false);
        return;
      }
    }
    const { res, json } = await send(url, method, payload, contentType);
    if (res.status === 401 && !url.startsWith("/api/session")) {
      window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname);
      return;
    }
    if (!res.ok) {
      show(form, problem(json, res.status), false);
      return;
    }
    form.dispatchEvent(new CustomEvent("xueshi:done", { detail: json, bubbles: true }));
    if (json && json.must_change_password) {
      window.location.href = "/password";
      return;
    }
    const then = form.dataset.then;
    if (then && form.dataset.ok) flash(form.dataset.ok);
    if (then === "reload") {
      window.location.reload();
    } else if (then) {
      window.location.href = localPath(fill(then, json || {}));
    } else {
      show(form, form.dataset.ok || "已保存", true);
    }
  }

  // A success said on the next page: an act that leads elsewhere (stamp, approve, void, book)
  // still tells its official it was done.
  const FLASH = "xueshi:flash";
  function flash(text) {
    try { window.sessionStorage.setItem(FLASH, text); } catch (_) { /* storage off: no message */ }
  }
  function showFlash() {
    let text = null;
    try {
      text = window.sessionStorage.getItem(FLASH);
      window.sessionStorage.removeItem(FLASH);
    } catch (_) { return; }
    const main = document.querySelector("main");
    if (!text || !main) return;
    const p = document.createElement("p");
    p.className = "msg ok flash";
    p.setAttribute("role", "status");
    p.textContent = text;
    const h1 = main.querySelector("h1");
    if (h1) h1.after(p); else main.prepend(p);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showFlash);
  else showFlash();

  document.addEventListener("submit", (ev) => {
    const form = ev.target.closest("form[data-api]");
    if (!form) return;
    ev.preventDefault();
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    submit(form)
      .catch(() => show(form, "网络错误，请稍后重试", false))
      .finally(() => buttons.forEach((b) => (b.disabled = false)));
  });
})();
