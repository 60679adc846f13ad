// Every browser test, in one process sharing one demo server (see lib.mjs).
import { after } from "node:test";
import { demo } from "./lib.mjs";

import "./next.test.mjs";
import "./session.test.mjs";
import "./people.test.mjs";
import "./officials.test.mjs";
import "./certificate.test.mjs";
import "./roles.test.mjs";
import "./resets.test.mjs";
import "./messages.test.mjs";
import "./pages-audit.test.mjs";

after(async () => {
  const app = await demo();
  await app.stop();
});
