// app.js's rule for where a form leads after it succeeds (`data-then`, the sign-in's `next`):
// every spelling of another origin goes home, paths of this site are kept. The function is
// taken from the served file itself and run with the browser's own URL parser (Node's WHATWG URL).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const source = readFileSync(new URL("../crates/web/static/app.js", import.meta.url), "utf8");
const body = source.match(/function localPath\(target\) \{[\s\S]*?\n  \}\n/);
const origin = "https://xueshi.example";
const localPath = new Function("window", `return (${body[0]});`)({ location: { origin } });

const elsewhere = [
  "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
  "/\t/evil.example", "/%09/evil.example/x", "/%0a/evil.example", "/%0D/evil.example",
  "/%00/evil.example", "/ /evil.example", "/%20/evil.example", " //evil.example",
  "/%5Cevil.example", "/%5cevil.example", "/%2F%2Fevil.example", "/%2f/evil.example",
  "/%252F%252Fevil.example", "/%25252F/evil.example", "https:evil.example",
  "https://evil.example", "javascript:alert(1)", "http:/evil.example", "evil.example", "",
  "/\u3000/evil.example", "/x\ny",
];

test("a form never leads to another origin, however it is spelled", () => {
  for (const s of elsewhere) {
    assert.equal(localPath(s), "/", JSON.stringify(s));
    assert.equal(new URL(localPath(s), origin).origin, origin);
  }
  for (const s of ["/", "/me", "/persons/12/years/2026?tab=records", "/me?new=1%2C2#records", "/unit/staff?q=张"]) {
    assert.equal(new URL(localPath(s), origin).href, new URL(s, origin).href, s);
  }
});
