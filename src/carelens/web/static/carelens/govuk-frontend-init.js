// GOV.UK Frontend's components on every page (the service navigation's menu button, the skip link, buttons,
// error summaries, tabs …), and on what htmx swaps into a page later.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

document.addEventListener("htmx:load", (event) => {
  // htmx:load also fires for the body when htmx starts: those components are initialised already
  if (event.target !== document.body) {
    initAll(event.target);
  }
});
