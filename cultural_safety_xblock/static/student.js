/* Learner view: every action goes to the server, which answers with the new stage. */
function CulturalSafetyScenario(runtime, element) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var box = root.querySelector(".cs-scenario");
  var stage = box.querySelector(".cs-stage");
  var paused = box.querySelector(".cs-paused");
  var error = box.querySelector(".cs-error");
  var announce = box.querySelector(".cs-announce");
  var status = box.querySelector(".cs-status");
  var busy = false;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function seen() {
    var body = stage.querySelector(".cs-stage-body");
    return {version: Number(body.getAttribute("data-version")), node: body.getAttribute("data-node") || ""};
  }

  function post(handler, payload) {
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, data: data};
      });
    });
  }

  function say(text) {
    error.textContent = text || "";
    error.hidden = !text;
  }

  /* The new stage in place. After a choice the consequence is read out; after a take-back
     the status says so and focus goes to the decision again: the consequence still shown above
     it is the earlier one, already heard, so it is not read again. */
  function show(data, takenBack) {
    if (!data.stage) { return; }
    stage.innerHTML = data.stage;
    var title = stage.querySelector(".cs-node-title");
    var target = takenBack && title ? title : stage.querySelector(".cs-focus") || stage.querySelector("h3");
    var told = stage.querySelector(".cs-consequence .cs-html");
    announce.textContent = told && !takenBack ? told.textContent : "";
    status.textContent = takenBack && title ?
      box.getAttribute("data-taken-back").replace("{title}", title.textContent) : "";
    if (target) { target.focus(); }
  }

  function act(handler, extra) {
    if (busy) { return; }
    busy = true;
    box.setAttribute("aria-busy", "true");
    var payload = seen();
    Object.keys(extra || {}).forEach(function (key) { payload[key] = extra[key]; });
    post(handler, payload).then(function (answer) {
      say(answer.ok ? "" : answer.data.message || box.getAttribute("data-failed"));
      show(answer.data, answer.ok && handler === "back");
    }).catch(function () {
      say(box.getAttribute("data-offline"));
    }).then(function () {
      busy = false;
      box.removeAttribute("aria-busy");
    });
  }

  function togglePause(on) {
    stage.hidden = on;
    paused.hidden = !on;
    (on ? paused.querySelector("h3") : stage.querySelector("h3")).focus();
  }

  box.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button || !box.contains(button)) { return; }
    var action = button.getAttribute("data-action");
    if (action === "pause" || action === "resume") { togglePause(action === "pause"); return; }
    if (action === "restart" && !window.confirm(box.getAttribute("data-confirm-restart"))) { return; }
    act(action, action === "choose" ? {choice: button.getAttribute("data-choice")} : null);
  });

  box.addEventListener("submit", function (event) {
    var form = event.target.closest("form.cs-reflection");
    if (!form) { return; }
    event.preventDefault();
    var status = form.querySelector(".cs-saved");
    post("save_reflection", {id: form.getAttribute("data-reflection"), text: form.elements.text.value})
      .then(function (answer) {
        status.textContent = answer.ok ? answer.data.message : answer.data.message || box.getAttribute("data-failed");
      }).catch(function () { status.textContent = box.getAttribute("data-offline"); });
  });
}
