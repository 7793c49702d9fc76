/* Studio: the OLX editor with live checks, the map, and previews. The server decides everything;
   this file only sends text and shows the HTML it gets back. The editor's text is never replaced:
   whatever the server answers, what the author typed stays as typed. */
function CulturalSafetyTools(runtime, root, box) {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function post(handler, payload) {
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, status: response.status, data: data};
      });
    });
  }

  var preview = box.querySelector(".cs-preview");
  var note = box.querySelector(".cs-preview-note");
  var from = box.querySelector(".cs-preview-from");
  var current = {node: "", path: []};

  function showPreview(answer) {
    if (!answer.ok) { note.textContent = answer.data.message || box.getAttribute("data-failed"); return; }
    var data = answer.data;
    current = {node: data.node, path: data.path};
    preview.innerHTML = data.stage;
    preview.hidden = false;
    var values = Object.keys(data.values).map(function (name) { return name + " = " + data.values[name]; });
    var parts = [box.getAttribute("data-not-recorded")];
    if (!data.reached) { parts.push(box.getAttribute("data-not-reached")); }
    if (values.length) { parts.push(box.getAttribute("data-variables") + " " + values.join(", ")); }
    note.textContent = parts.join(" ");
    var heading = preview.querySelector(".cs-focus") || preview.querySelector("h3");
    if (heading) { heading.focus(); }
  }

  function runPreview(node, path, text) {
    return post("studio_preview", {scenario_xml: text, node: node, path: path}).then(showPreview)
      .catch(function () { note.textContent = box.getAttribute("data-offline"); });
  }

  function onPreviewClick(event, text) {
    var button = event.target.closest("button[data-action]");
    if (!button || !preview.contains(button)) { return false; }
    var action = button.getAttribute("data-action");
    var path = current.path.slice();
    if (action === "choose") {
      var body = preview.querySelector(".cs-stage-body");
      path.push([body.getAttribute("data-node"), button.getAttribute("data-choice")]);
      runPreview(current.node, path, text());
    } else if (action === "back") {
      path.pop();
      runPreview(current.node, path, text());
    } else if (action === "restart" || action === "begin") {
      runPreview("", [], text());
    }
    return true;
  }

  preview.addEventListener("submit", function (event) {  // reflections are not saved in a preview
    event.preventDefault();
    var status = event.target.querySelector(".cs-saved");
    if (status) { status.textContent = box.getAttribute("data-not-recorded"); }
  });

  var placesShown = null;

  function setPlaces(places) {
    var listed = JSON.stringify(places);
    if (listed === placesShown) { return; }  // most edits change no place's id or title
    placesShown = listed;
    var chosen = from.value;
    from.textContent = "";
    places.forEach(function (place) {
      var option = document.createElement("option");
      option.value = place[0];
      option.textContent = place[1] ? place[0] + ": " + place[1].slice(0, 48) : place[0];
      from.appendChild(option);
    });
    if (chosen) { from.value = chosen; }
  }

  return {post: post, runPreview: runPreview, onPreviewClick: onPreviewClick, setPlaces: setPlaces,
          from: from};
}

function CulturalSafetyStudio(runtime, element) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var box = root.querySelector(".cs-studio");
  var tools = CulturalSafetyTools(runtime, root, box);
  var editor = box.querySelector("textarea.cs-olx");
  var gutter = box.querySelector(".cs-gutter");
  var cursor = box.querySelector(".cs-cursor");
  var problems = box.querySelector(".cs-problems");
  var summary = box.querySelector(".cs-summary");
  var map = box.querySelector(".cs-map");
  var status = box.querySelector(".cs-status");
  var form = box.querySelector("form.cs-settings");
  var shownLines = 0;
  var asked = 0;
  var timer = null;

  function numberLines() {
    var count = editor.value.split("\n").length;
    if (count === shownLines) { return; }
    var numbers = [];
    for (var i = 1; i <= count; i += 1) { numbers.push(i); }
    gutter.textContent = numbers.join("\n") + "\n";
    shownLines = count;
  }

  function lineHeight() {
    return parseFloat(window.getComputedStyle(editor).lineHeight) || 20;
  }

  function showPosition() {
    var before = editor.value.slice(0, editor.selectionStart).split("\n");
    cursor.textContent = box.getAttribute("data-position")
      .replace("{line}", before.length).replace("{column}", before[before.length - 1].length + 1);
  }

  function goToLine(line) {
    var lines = editor.value.split("\n");
    line = Math.max(1, Math.min(line, lines.length));
    var start = 0;
    for (var i = 0; i < line - 1; i += 1) { start += lines[i].length + 1; }
    editor.focus();
    editor.setSelectionRange(start, start + lines[line - 1].length);
    editor.scrollTop = Math.max(0, (line - 1) * lineHeight() - editor.clientHeight / 3);
    gutter.scrollTop = editor.scrollTop;
    showPosition();
  }

  function say(message, isError) {
    status.textContent = message || "";
    status.classList.toggle("cs-error", Boolean(isError));
  }

  var mapText = editor.value;  // the text the map on screen was drawn for
  var savedText = editor.value;  // the text stored on the server
  var shownProblems = [];
  var visual = null;
  var viewButtons = box.querySelectorAll("[data-view]");

  function showChecked(data, text) {
    if (data.problems_html === undefined) { return; }
    problems.innerHTML = data.problems_html;
    shownProblems = data.problems || [];
    if (data.map_html !== undefined) {
      map.innerHTML = data.map_html;
      mapText = text;
    }
    summary.textContent = data.summary;
    summary.classList.toggle("cs-no-problems", !data.count);
    tools.setPlaces(data.places);
  }

  function visualShown() { return Boolean(visual) && !box.querySelector(".cs-visual").hidden; }
  function text() { return visualShown() ? visual.text() : editor.value; }

  function check(quiet) {  // quiet: the status line keeps what it says (after a save)
    if (visual) {  // the visual editor's check answers for both views
      if (quiet !== true) { say(""); }
      visual.refresh(text());
      return;
    }
    var number = ++asked;
    if (quiet !== true) { say(box.getAttribute("data-checking")); }
    var typed = editor.value;
    return tools.post("studio_check", {scenario_xml: typed}).then(function (answer) {
      if (number !== asked) { return; }  // an older answer, overtaken by newer typing
      showChecked(answer.data, typed);
      if (quiet !== true) {
        say(answer.ok ? "" : answer.data.message || box.getAttribute("data-failed"), !answer.ok);
      }
    }).catch(function () {
      if (number === asked && quiet !== true) { say(box.getAttribute("data-offline"), true); }
    });
  }

  function settings() {
    var fields = form.elements;
    return {
      display_name: fields.display_name.value,
      weight: Number(fields.weight.value),
      max_attempts: Number(fields.max_attempts.value),
      grading: fields.grading.value,
      content_language: fields.content_language.value,
      practice: fields.practice.checked,
      allow_back: fields.allow_back.checked,
      allow_restart: fields.allow_restart.checked,
      reflections_in_reports: fields.reflections_in_reports.checked
    };
  }

  function save() {
    var payload = settings();
    payload.scenario_xml = text();
    asked += 1;  // a check still on its way must not overwrite what the save reports
    say(box.getAttribute("data-saving"));
    if (runtime.notify) { runtime.notify("save", {state: "start"}); }
    tools.post("studio_save", payload).then(function (answer) {
      showChecked(answer.data, payload.scenario_xml);
      say(answer.data.message || box.getAttribute("data-failed"), !answer.ok);
      if (answer.ok) {
        savedText = payload.scenario_xml;
        if (visual) { visual.saved(); }
      }
      // a save answers without the map: draw it anew if it is not of the text just saved
      if (answer.ok && mapText !== payload.scenario_xml) { check(true); }
      if (answer.ok && runtime.notify) { runtime.notify("save", {state: "end"}); }
      if (!answer.ok && runtime.notify) {
        runtime.notify("error", {title: box.getAttribute("data-failed"), message: answer.data.message || ""});
      }
    }).catch(function () { say(box.getAttribute("data-offline"), true); });
  }

  function showView(name) {
    var toXml = name === "xml";
    if (toXml && visual) { editor.value = visual.text(); numberLines(); }
    if (!toXml && visual && visualShown() === false) { visual.refresh(editor.value); }
    box.querySelector(".cs-visual").hidden = toXml;
    box.querySelector(".cs-editor").hidden = !toXml;
    Array.prototype.forEach.call(viewButtons, function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-view") === name));
    });
  }

  editor.addEventListener("input", function () {
    numberLines();
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 700);
  });
  editor.addEventListener("scroll", function () { gutter.scrollTop = editor.scrollTop; });
  ["keyup", "click", "select"].forEach(function (name) { editor.addEventListener(name, showPosition); });

  function goToPlace(id) {
    if (visualShown()) {
      visual.openPlace(id);
      return;
    }
    var place = map.querySelector('.cs-map-place[data-place="' + CSS.escape(id) + '"]');
    var line = place ? Number(place.getAttribute("data-line")) : 0;
    if (line) { goToLine(line); }
  }

  box.addEventListener("click", function (event) {
    if (tools.onPreviewClick(event, text)) { return; }
    var target = event.target.closest("[data-line], [data-action], [data-place], [data-view]");
    if (!target || !box.contains(target)) { return; }
    if (target.hasAttribute("data-view")) { showView(target.getAttribute("data-view")); return; }
    var action = target.getAttribute("data-action");
    if (action === "check") { check(); return; }
    if (action === "save") { save(); return; }
    if (action === "cancel") {
      if (visual) { visual.keep(); }  // offered back when the editor opens again
      if (runtime.notify) { runtime.notify("cancel", {}); }
      return;
    }
    if (action === "preview") { tools.runPreview(tools.from.value, [], text()); return; }
    if (target.hasAttribute("data-index") && visualShown()) {
      visual.goTo(shownProblems[Number(target.getAttribute("data-index"))] || {});
      return;
    }
    if (target.hasAttribute("data-place") && !target.hasAttribute("data-line")) { goToPlace(target.getAttribute("data-place")); return; }
    if (target.closest(".cs-map-place")) { goToPlace(target.closest(".cs-map-place").getAttribute("data-place")); return; }
    var line = Number(target.getAttribute("data-line"));
    if (line) { goToLine(line); }
  });
  box.addEventListener("keydown", function (event) {  // the map's places are buttons
    var place = event.target.closest && event.target.closest(".cs-map-place");
    if (place && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      place.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    }
  });

  numberLines();
  if (typeof CulturalSafetyVisual === "function" && box.querySelector(".cs-visual")) {
    visual = CulturalSafetyVisual(box, tools, {
      savedText: function () { return savedText; }, say: say, showChecked: showChecked,
      usage: root.getAttribute("data-usage-id") || root.getAttribute("data-usage") || ""});
    showView("visual");
  }
}

function CulturalSafetyAuthor(runtime, element) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var box = root.querySelector(".cs-author");
  var tools = CulturalSafetyTools(runtime, root, box);
  function saved() { return ""; }

  box.addEventListener("click", function (event) {
    if (tools.onPreviewClick(event, saved)) { return; }
    var target = event.target.closest("[data-action='preview'], [data-place]");
    if (!target || !box.contains(target)) { return; }
    var place = target.getAttribute("data-place") || tools.from.value;
    if (target.closest(".cs-map-place") && target.closest(".cs-map-place").getAttribute("data-kind") === "missing") { return; }
    tools.from.value = place;
    tools.runPreview(place, [], "");
  });
  box.addEventListener("keydown", function (event) {  // the map's places are buttons
    var place = event.target.closest && event.target.closest(".cs-map-place");
    if (place && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      place.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    }
  });
}
