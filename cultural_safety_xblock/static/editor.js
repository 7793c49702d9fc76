/* Studio's visual editor (issue 14): a list of places, a form per place, undo and redo, a draft
   kept in this browser. The server makes every change to the OLX text (studio_edit) and answers
   with the new text, the list, the open form's fields and the problems at their fields; this file
   only builds forms from that answer and sends what the author typed. */
function CulturalSafetyVisual(box, tools, host) {
  "use strict";
  var words = {};
  Array.prototype.forEach.call(box.querySelectorAll(".cs-editor-words [data-word]"), function (word) {
    words[word.getAttribute("data-word")] = word.textContent;
  });
  var uid = box.getAttribute("data-uid");
  var panel = box.querySelector(".cs-visual");
  var list = panel.querySelector(".cs-outline-list");
  var form = panel.querySelector(".cs-form");
  var draftBox = panel.querySelector(".cs-draft");
  var undoButton = panel.querySelector("[data-edit='undo']");
  var redoButton = panel.querySelector("[data-edit='redo']");
  var textLang = box.getAttribute("data-text-lang") || "";
  var state = {text: host.savedText(), show: [], outline: null, detail: null, problems: [],
               mapKey: box.getAttribute("data-map-key") || "", undo: [], redo: [], lastKey: "",
               lastTime: 0};
  var inflight = false;
  var pending = null;   // {ops, rebuild, key} waiting for the answer in flight
  var storeKey = "cultural-safety-draft:" + (host.usage || uid);

  function t(name) { return words[name] || name; }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return values[name] === undefined ? all : values[name]; });
  }
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  function fieldId(key) { return uid + "-f-" + key.replace(/\./g, "-"); }

  // -- talking to the server -------------------------------------------------------------------

  var epoch = 0;         // a new text from elsewhere makes answers still on their way stale

  function send(ops, rebuild, key, force) {
    if (inflight && !force) {  // one request at a time: the latest typing replaces what waits
      if (pending && pending.key && pending.key === key && !rebuild) { pending.ops = ops; return; }
      pending = pending ? {ops: pending.ops.concat(ops), rebuild: pending.rebuild || rebuild, key: key}
                        : {ops: ops, rebuild: rebuild, key: key};
      return;
    }
    inflight = true;
    busy(true);
    var mine = epoch;
    var before = state.text;
    var began = performance.now();
    var typing = Boolean(key) && !rebuild && ops.length > 0;
    tools.post("studio_edit", {scenario_xml: state.text, operations: ops, show: state.show,
                               map_key: typing ? "later" : state.mapKey}).then(function (answer) {
      if (mine !== epoch) { return; }
      inflight = false;
      if (!answer.ok) {
        showRefusal(answer.data, key);
      } else {
        var data = answer.data;
        data.text = newText(before, data);
        if (data.text !== before) { remember(before, key); }
        take(data, rebuild || ops.length === 0);
        box.setAttribute("data-last-check-ms", String(Math.round(performance.now() - began)));
        window.clearTimeout(mapTimer);
        if (typing) { mapTimer = window.setTimeout(refreshMap, 600); }
        if (ops.length) { host.say(""); }
      }
      var next = pending;
      pending = null;
      if (next) { send(next.ops, next.rebuild, next.key); } else { busy(false); }
    }).catch(function (error) {
      if (window.console) { window.console.error(error); }
      if (mine !== epoch) { return; }
      inflight = false;
      pending = null;
      busy(false);
      host.say(box.getAttribute("data-offline"), true);
    });
  }

  var mapTimer = null;
  var draftTimer = null;

  function refreshMap() {  // the map of the text as typed, once typing pauses; the form untouched
    if (inflight) { mapTimer = window.setTimeout(refreshMap, 300); return; }
    var text = state.text;
    tools.post("studio_edit", {scenario_xml: text, operations: [], show: state.show, map_key: state.mapKey})
      .then(function (answer) {
        if (!answer.ok || text !== state.text) { return; }
        answer.data.text = newText(text, answer.data);
        if (answer.data.map_key) { state.mapKey = answer.data.map_key; }
        host.showChecked(answer.data, text);
      });
  }

  function busy(on) { box.setAttribute("data-busy", on ? "true" : "false"); }

  function newText(sent, data) {  // the server answers with the change, or the whole text
    if (data.text !== undefined) { return data.text; }
    var splice = data.splice;
    return sent.slice(0, splice[0]) + splice[2] + sent.slice(splice[1]);
  }

  function refresh(text, show) {  // a new text from elsewhere (the XML view, undo, a draft)
    if (text !== undefined) { state.text = text; }
    if (show !== undefined) { state.show = show; }
    epoch += 1;
    pending = null;
    send([], true, "", true);
  }

  function remember(before, key) {
    var now = Date.now();
    state.touched = true;
    var typing = key && key === state.lastKey && now - state.lastTime < 1500;
    if (!typing) { state.undo.push({text: before, show: state.show}); }
    if (state.undo.length > 100) { state.undo.shift(); }
    state.redo = [];
    state.lastKey = key || "";
    state.lastTime = now;
  }

  function take(data, rebuild) {
    state.text = data.text;
    if (data.focus && !same(data.focus, state.show)) { state.show = data.focus; rebuild = true; }
    state.problems = data.problems || [];
    if (data.map_key) { state.mapKey = data.map_key; }
    host.showChecked(data, state.text);
    var before = state.outline;
    state.outline = data.outline;
    if (!before || !data.outline || !relabelOutline(data.outline.places)) { drawOutline(); }
    else { markOutline(); }
    var structural = !state.detail || !data.detail || !same(shape(state.detail), shape(data.detail));
    state.detail = data.detail;
    if (rebuild || structural) { drawForm(); } else { updateForm(); }
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(keepDraft, 400);  // a keystroke need not wait for storage
    undoButton.disabled = !state.undo.length;
    redoButton.disabled = !state.redo.length;
  }

  function shape(detail) {  // what the form's controls are, not what they hold
    return {at: detail.at, kind: detail.kind, choices: (detail.choices || []).map(function (c) {
      return [c.effects.length, c.scores.length, c.effects.map(function (e) { return e.set === ""; })];
    })};
  }

  function showRefusal(data, key) {
    var message = data.message || box.getAttribute("data-failed");
    var input = key ? form.querySelector('[data-key="' + CSS.escape(key) + '"]') : null;
    if (input) { setFieldProblem(input, [message]); } else { host.say(message, true); }
  }

  // -- the list of places ------------------------------------------------------------------------

  function problemsFor(at) {
    return state.problems.filter(function (p) { return p.form && same(p.form, at); });
  }

  function choicesNote(place) {
    if (place.kind === "ending") { return t("ending"); }
    return place.choices === 1 ? t("one_choice") : fill(t("choices_count"), {count: place.choices});
  }

  function drawOutline() {
    list.textContent = "";
    if (!state.outline) {
      list.appendChild(h("li", {text: t("unreadable")}));
      return;
    }
    var entries = [{at: [], label: t("scenario_part"), kind: "scenario"}];
    state.outline.places.forEach(function (place) {
      entries.push({at: place.at, kind: place.kind, label: place.id + (place.title ? ": " + place.title : ""),
                    note: choicesNote(place)});
    });
    entries.push({at: ["debrief", 0], kind: "debrief", label: t("debrief")});
    entries.forEach(function (entry) {
      var button = h("button", {type: "button", "class": "cs-outline-item", "data-at": JSON.stringify(entry.at),
                                "data-kind": entry.kind}, [
        h("span", {"class": "cs-outline-name", text: entry.label, lang: entry.kind === "node" || entry.kind === "ending" ? textLang || null : null}),
        entry.note ? h("span", {"class": "cs-outline-note", text: entry.note}) : null,
        h("span", {"class": "cs-outline-problems"})]);
      list.appendChild(h("li", {}, [button]));
    });
    markOutline();
  }

  function markOutline() {
    var counts = {}, shown = JSON.stringify(state.show);
    state.problems.forEach(function (p) {
      if (p.form) { var key = JSON.stringify(p.form); counts[key] = (counts[key] || 0) + 1; }
    });
    Array.prototype.forEach.call(list.querySelectorAll(".cs-outline-item"), function (button) {
      var at = button.getAttribute("data-at"), count = counts[at] || 0;
      var words = count ? fill(t(count === 1 ? "one_problem" : "problems_count"), {count: count}) : "";
      var slot = button.querySelector(".cs-outline-problems");
      if (slot.textContent !== words) { slot.textContent = words; }
      if (at === shown) { button.setAttribute("aria-current", "true"); } else if (button.hasAttribute("aria-current")) { button.removeAttribute("aria-current"); }
    });
  }

  function relabelOutline(places) {  // the same places in the same order: new names in place
    var buttons = list.querySelectorAll(".cs-outline-item");
    if (buttons.length !== places.length + 2) { return false; }
    for (var i = 0; i < places.length; i += 1) {
      if (buttons[i + 1].getAttribute("data-at") !== JSON.stringify(places[i].at)) { return false; }
    }
    places.forEach(function (place, i) {
      var name = buttons[i + 1].querySelector(".cs-outline-name");
      var label = place.id + (place.title ? ": " + place.title : "");
      if (name.textContent !== label) { name.textContent = label; }
      var note = buttons[i + 1].querySelector(".cs-outline-note");
      var noted = choicesNote(place);
      if (note && note.textContent !== noted) { note.textContent = noted; }
    });
    return true;
  }

  // -- forms ---------------------------------------------------------------------------------------

  function field(key, label, control, help) {
    control.id = fieldId(key);
    control.setAttribute("data-key", key);
    var helpNode = help ? h("span", {"class": "cs-help", id: control.id + "-help", text: help}) : null;
    var problem = h("p", {"class": "cs-field-problem", id: control.id + "-problem", hidden: true});
    control.setAttribute("aria-describedby", (help ? control.id + "-help " : "") + control.id + "-problem");
    return h("div", {"class": "cs-field"}, [h("label", {"for": control.id, text: label}), control, helpNode, problem]);
  }

  function input(value, ops, attrs) {
    var node = h("input", Object.assign({type: "text", value: value || "", autocomplete: "off", spellcheck: "false"}, attrs || {}));
    node.addEventListener(attrs && attrs["data-commit"] ? "change" : "input", function () {
      send(ops(node.value), false, node.getAttribute("data-key"));
    });
    return node;
  }

  function number(value, ops) {
    return input(value, ops, {type: "number", step: "1", inputmode: "numeric"});
  }

  function select(value, options, ops) {
    var node = h("select", {});
    var known = false;
    options.forEach(function (option) {
      var chosen = option[0] === value;
      known = known || chosen;
      node.appendChild(h("option", {value: option[0], text: option[1], selected: chosen}));
    });
    if (!known) { node.insertBefore(h("option", {value: value, text: value ? value + " (?)" : t("choose"), selected: true}), node.firstChild); }
    node.addEventListener("change", function () { send(ops(node.value), true, node.getAttribute("data-key")); });
    return node;
  }

  function area(value, ops, rows) {
    var node = h("textarea", {rows: rows || 3, spellcheck: "true"});
    node.value = value || "";
    if (textLang) { node.setAttribute("lang", textLang); }
    node.addEventListener("input", function () { send(ops(node.value), false, node.getAttribute("data-key")); });
    return node;
  }

  var MARKS = [["p", "<p>", "</p>"], ["em", "<em>", "</em>"], ["strong", "<strong>", "</strong>"],
               ["list", "<ul>\n<li>", "</li>\n</ul>"], ["quote", "<q>", "</q>"], ["link", "<a href=\"{url}\">", "</a>"],
               ["lang", "<span lang=\"{lang}\">", "</span>"]];

  function richField(key, label, value, preview, ops) {
    var text = area(value, ops, 4);
    var wrapped = field(key, label, text, t("html_help"));
    var bar = h("div", {role: "group", "class": "cs-marks", "aria-label": fill(t("marks_for"), {field: label})});
    MARKS.forEach(function (mark) {
      var button = h("button", {type: "button", "class": "cs-mark", "data-mark": mark[0], text: t("mark_" + mark[0])});
      button.addEventListener("click", function () { wrapSelection(text, mark); });
      bar.appendChild(button);
    });
    wrapped.insertBefore(bar, text);
    var shown = h("div", {"class": "cs-html-preview cs-scenario", lang: textLang || null, "data-preview": key});
    shown.innerHTML = preview || "";  // sanitised by the server with the learners' allow-list
    wrapped.appendChild(h("p", {"class": "cs-preview-label", text: t("as_learners_see")}));
    wrapped.appendChild(shown);
    return wrapped;
  }

  function wrapSelection(text, mark) {
    var open = mark[1], close = mark[2];
    if (mark[0] === "link" || mark[0] === "lang") {
      var asked = window.prompt(t(mark[0] === "link" ? "ask_url" : "ask_lang"), mark[0] === "link" ? "https://" : "");
      if (!asked) { text.focus(); return; }
      open = open.replace(mark[0] === "link" ? "{url}" : "{lang}", asked.replace(/[&"<>]/g, ""));
    }
    var start = text.selectionStart, end = text.selectionEnd, value = text.value;
    text.value = value.slice(0, start) + open + value.slice(start, end) + close + value.slice(end);
    text.focus();
    text.setSelectionRange(start + open.length, end + open.length);
    text.dispatchEvent(new Event("input"));
  }

  function actionButton(label, ops, extra) {
    var button = h("button", Object.assign({type: "button", "class": "cs-button cs-small", text: label}, extra || {}));
    button.addEventListener("click", function () {
      var chosen = typeof ops === "function" ? ops() : ops;
      if (chosen) { send(chosen, true, ""); }
    });
    return button;
  }

  function placeOptions() {
    var options = [];
    (state.outline ? state.outline.places : []).forEach(function (place) {
      options.push([place.id, place.id + (place.title ? ": " + place.title.slice(0, 40) : "")]);
    });
    return options;
  }

  function declared(kind) {
    return (state.outline ? state.outline[kind] : []).map(function (item) { return [item.id, item.id]; });
  }

  function setOp(at, name) { return function (value) { return [{op: "set", at: at, name: name, value: value}]; }; }
  function contentOp(at, tag) { return function (value) { return [{op: "content", at: at, tag: tag, value: value}]; }; }

  function drawForm() {
    buildForm();
    if (pendingFocus !== null) {
      var target = pendingFocus ? form.querySelector('[data-key="' + CSS.escape(pendingFocus) + '"]') : null;
      target = target || form.querySelector(".cs-form-heading");
      if (target) { target.focus(); }
      pendingFocus = null;
    }
  }

  function buildForm() {
    var detail = state.detail;
    var focused = document.activeElement && form.contains(document.activeElement) ? document.activeElement.getAttribute("data-key") : null;
    form.textContent = "";
    if (!detail) {
      form.appendChild(h("p", {text: state.outline ? t("pick_a_place") : t("unreadable")}));
      return;
    }
    var heading = h("h4", {tabindex: "-1", "class": "cs-form-heading", id: uid + "-form-heading"});
    form.appendChild(heading);
    form.appendChild(h("ul", {"class": "cs-form-problems", "aria-label": t("problems_here")}));
    if (detail.kind === "scenario") { scenarioForm(heading, detail); }
    else if (detail.kind === "debrief") {
      heading.textContent = t("debrief");
      form.appendChild(richField("html", t("debrief_text"), detail.html, detail.html_preview, contentOp(["debrief", 0], "html")));
    } else { placeForm(heading, detail); }
    updateForm();
    var again = focused && form.querySelector('[data-key="' + CSS.escape(focused) + '"]');
    if (again) { again.focus(); }
  }

  function placeForm(heading, detail) {
    var at = detail.at, node = detail.kind === "node";
    heading.textContent = fill(t(node ? "node_heading" : "ending_heading"), {id: detail.id});
    var tools = h("div", {"class": "cs-form-tools"}, [
      actionButton(t("move_up"), [{op: "move", at: at, by: -1}]),
      actionButton(t("move_down"), [{op: "move", at: at, by: 1}]),
      actionButton(t("duplicate"), [{op: "duplicate", at: at}]),
      actionButton(t("delete"), function () {
        var pointing = detail.pointing.map(function (p) { return p.node + " / " + p.choice; });
        var question = fill(t("confirm_delete"), {id: detail.id}) +
          (pointing.length ? "\n" + fill(t("pointing_here"), {list: pointing.join(", ")}) : "");
        return window.confirm(question) ? [{op: "delete", at: at}] : null;
      })]);
    form.appendChild(tools);
    if (detail.pointing.length || detail.start) {
      var from = detail.pointing.map(function (p) { return p.node + " / " + p.choice; });
      form.appendChild(h("p", {"class": "cs-help cs-pointing", text: (detail.start ? t("is_start") + " " : "") +
        (from.length ? fill(t("pointing_here"), {list: from.join(", ")}) : "")}));
    }
    form.appendChild(field("id", t("id"), input(detail.id, function (v) { return [{op: "rename", at: at, id: v}]; }, {"data-commit": "1"}), t("id_help")));
    form.appendChild(field("title", t("title"), input(detail.title, setOp(at, "title"), {lang: textLang || null})));
    if (!node) {
      form.appendChild(field("outcome", t("outcome"), select(detail.outcome, [["safe", t("outcome_safe")], ["mixed", t("outcome_mixed")], ["unsafe", t("outcome_unsafe")]], setOp(at, "outcome"))));
      form.appendChild(field("requires", t("claims"), input(detail.requires, setOp(at, "requires")), t("claims_help")));
    }
    form.appendChild(richField("html", t(node ? "scene" : "ending_text"), detail.html, detail.html_preview, contentOp(at, "html")));
    if (!node) { return; }
    var choices = h("div", {"class": "cs-choices", "data-key": "choices"});
    detail.choices.forEach(function (choice, index) { choices.appendChild(choiceFieldset(choice, index, detail)); });
    form.appendChild(h("h5", {text: t("choices")}));
    form.appendChild(choices);
    form.appendChild(actionButton(t("add_choice"), [{op: "add", at: at, tag: "choice"}], {"data-add": "choice"}));
  }

  function choiceFieldset(choice, index, detail) {
    var at = choice.at, key = "choice." + index + ".";
    var set = h("fieldset", {"class": "cs-choice-form", "data-choice": index});
    set.appendChild(h("legend", {text: fill(t("choice_legend"), {number: index + 1, id: choice.id})}));
    set.appendChild(field(key + "text", t("choice_text"), area(choice.text, contentOp(at, "text"), 2)));
    var targets = placeOptions();
    targets.push(["\u0001node", t("new_node")], ["\u0001ending", t("new_ending")]);
    set.appendChild(field(key + "target", t("leads_to"), select(choice.target, targets, function (value) {
      if (value.charAt(0) === "\u0001") { return [{op: "add", at: [], tag: value.slice(1), link: at}]; }
      return [{op: "set", at: at, name: "target", value: value}];
    })));
    set.appendChild(field(key + "rating", t("rating"), select(choice.rating, [["best", t("rating_best")], ["acceptable", t("rating_acceptable")], ["harmful", t("rating_harmful")]], setOp(at, "rating"))));
    set.appendChild(field(key + "points", t("points"), number(choice.points, setOp(at, "points")), t("points_help")));
    set.appendChild(field(key + "requires", t("requires"), input(choice.requires, setOp(at, "requires")), t("requires_help")));
    set.appendChild(richField(key + "consequence", t("consequence"), choice.consequence, choice.consequence_preview, contentOp(at, "consequence")));
    var effects = h("div", {"class": "cs-rows"}, [h("h6", {text: t("effects")})]);
    choice.effects.forEach(function (effect, e) {
      var k = key + "effect." + e + ".", setting = effect.set !== "";
      effects.appendChild(h("div", {"class": "cs-row"}, [
        field(k + "variable", t("variable"), select(effect.variable, declared("variables"), setOp(effect.at, "variable"))),
        field(k + "how", t("change"), select(setting ? "set" : "add", [["add", t("add_to")], ["set", t("set_to")]], function (how) {
          var amount = setting ? effect.set : effect.add || "0";
          return [{op: "set", at: effect.at, name: how, value: amount}, {op: "set", at: effect.at, name: how === "set" ? "add" : "set", value: ""}];
        })),
        field(k + (setting ? "set" : "add"), t("amount"), number(setting ? effect.set : effect.add, setOp(effect.at, setting ? "set" : "add"))),
        actionButton(fill(t("remove_effect"), {number: e + 1}), [{op: "delete", at: effect.at}])]));
    });
    effects.appendChild(actionButton(t("add_effect"), [{op: "add", at: at, tag: "effect"}], {"data-add": "effect"}));
    set.appendChild(effects);
    var scores = h("div", {"class": "cs-rows"}, [h("h6", {text: t("scores")})]);
    choice.scores.forEach(function (score, s) {
      var k = key + "score." + s + ".";
      scores.appendChild(h("div", {"class": "cs-row"}, [
        field(k + "dimension", t("dimension"), select(score.dimension, declared("dimensions"), setOp(score.at, "dimension"))),
        field(k + "points", t("points"), number(score.points, setOp(score.at, "points"))),
        actionButton(fill(t("remove_score"), {number: s + 1}), [{op: "delete", at: score.at}])]));
    });
    scores.appendChild(actionButton(t("add_score"), [{op: "add", at: at, tag: "score"}], {"data-add": "score"}));
    set.appendChild(scores);
    set.appendChild(h("div", {"class": "cs-form-tools"}, [
      actionButton(fill(t("move_choice_up"), {number: index + 1}), [{op: "move", at: at, by: -1}]),
      actionButton(fill(t("move_choice_down"), {number: index + 1}), [{op: "move", at: at, by: 1}]),
      actionButton(fill(t("duplicate_choice"), {number: index + 1}), [{op: "duplicate", at: at}]),
      actionButton(fill(t("delete_choice"), {number: index + 1}), function () {
        return window.confirm(fill(t("confirm_delete_choice"), {id: choice.id})) ? [{op: "delete", at: at}] : null;
      })]));
    return set;
  }

  function scenarioForm(heading, detail) {
    heading.textContent = t("scenario_part");
    var nodes = (state.outline ? state.outline.places : []).filter(function (p) { return p.kind === "node"; })
      .map(function (p) { return [p.id, p.id]; });
    nodes.unshift(["", t("first_node")]);
    form.appendChild(field("start", t("start"), select(detail.start, nodes, setOp([], "start"))));
    form.appendChild(field("content_note", t("content_note"), area(detail.content_note, contentOp([], "content_note"), 2), t("content_note_help")));
    form.appendChild(field("outcomes", t("outcomes"), input(detail.outcomes, setOp([], "outcomes")), t("outcomes_help")));
    form.appendChild(field("topics", t("topics"), input(detail.topics, setOp([], "topics")), t("topics_help")));
    var sections = [["variables", "variable", [["id", t("id")], ["initial", t("initial")], ["min", t("min")], ["max", t("max")]]],
                    ["dimensions", "dimension", [["id", t("id")], ["label", t("label")]]],
                    ["reflections", "reflection", [["id", t("id")], ["prompt", t("prompt")]]]];
    sections.forEach(function (section) {
      var rows = h("div", {"class": "cs-rows"}, [h("h5", {text: t(section[0])}), h("p", {"class": "cs-help", text: t(section[0] + "_help")})]);
      (state.outline ? state.outline[section[0]] : []).forEach(function (item, index) {
        var row = h("div", {"class": "cs-row"});
        section[2].forEach(function (column) {
          var key = section[1] + "." + index + "." + column[0];
          var control = column[0] === "id"
            ? input(item.id, function (v) { return [{op: "rename", at: item.at, id: v}]; }, {"data-commit": "1"})
            : (column[0] === "label" || column[0] === "prompt" ? input(item[column[0]], setOp(item.at, column[0]), {lang: textLang || null})
               : number(item[column[0]], setOp(item.at, column[0])));
          row.appendChild(field(key, column[1] + " (" + (item.id || index + 1) + ")", control));
        });
        row.appendChild(actionButton(fill(t("remove_item"), {id: item.id || index + 1}), [{op: "delete", at: item.at}]));
        rows.appendChild(row);
      });
      rows.appendChild(actionButton(t("add_" + section[1]), [{op: "add", at: [], tag: section[1]}], {"data-add": section[1]}));
      form.appendChild(rows);
    });
  }

  function setFieldProblem(control, messages) {
    var slot = document.getElementById(control.id + "-problem");
    if (!slot) { return; }
    slot.textContent = messages.join(" ");
    slot.hidden = !messages.length;
    if (messages.length) { control.setAttribute("aria-invalid", "true"); } else { control.removeAttribute("aria-invalid"); }
  }

  function updateForm() {  // problems at their fields and the previews, the controls left alone
    if (!state.detail) { return; }
    var here = problemsFor(state.detail.at);
    var byKey = {};
    here.forEach(function (p) { (byKey[p.field] = byKey[p.field] || []).push(p); });
    var general = form.querySelector(".cs-form-problems");
    general.textContent = "";
    var placed = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-key]"), function (control) {
      var key = control.getAttribute("data-key");
      var mine = byKey[key] || [];
      if (control.tagName === "DIV") { return; }
      placed[key] = true;
      setFieldProblem(control, mine.map(function (p) { return p.what + " (" + p.fix + ")"; }));
    });
    here.forEach(function (p) {
      if (!placed[p.field]) { general.appendChild(h("li", {"class": "cs-field-problem", text: p.where + ": " + p.what + " (" + p.fix + ")"})); }
    });
    var previews = {html: state.detail.html_preview};
    (state.detail.choices || []).forEach(function (c, i) { previews["choice." + i + ".consequence"] = c.consequence_preview; });
    Array.prototype.forEach.call(form.querySelectorAll("[data-preview]"), function (node) {
      var html = previews[node.getAttribute("data-preview")];
      if (html !== undefined && node.innerHTML !== html) { node.innerHTML = html; }
    });
  }

  // -- moving around -------------------------------------------------------------------------------

  var pendingFocus = null;  // the field (or "" for the heading) to focus once the form is drawn

  function open(at, key) {
    pendingFocus = key || "";
    refresh(undefined, at);
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest(".cs-outline-item");
    if (button) { open(JSON.parse(button.getAttribute("data-at"))); }
  });

  panel.addEventListener("click", function (event) {
    var button = event.target.closest("[data-edit]");
    if (!button) { return; }
    var what = button.getAttribute("data-edit");
    if (what === "undo" || what === "redo") {
      var from = what === "undo" ? state.undo : state.redo;
      var to = what === "undo" ? state.redo : state.undo;
      if (!from.length) { return; }
      var step = from.pop();
      to.push({text: state.text, show: state.show});
      state.lastKey = "";
      refresh(step.text, step.show);
      host.say(t(what + "_done"));
    } else if (what === "add-node" || what === "add-ending") {
      send([{op: "add", at: [], tag: what.slice(4)}], true, "");
    } else if (what === "template") {
      var name = panel.querySelector(".cs-template").value;
      if (window.confirm(t("confirm_template"))) { state.show = []; send([{op: "template", name: name}], true, ""); }
    } else if (what === "restore" || what === "discard") {
      var draft = readDraft();
      draftBox.hidden = true;
      if (what === "restore" && draft) {
        state.undo.push({text: state.text, show: state.show});
        state.touched = true;
        refresh(draft.text, []);
        host.say(t("restored"));
      }
      else if (what === "discard") {
        if (!window.confirm(t("confirm_discard"))) { draftBox.hidden = false; return; }
        dropDraft();
        state.touched = true;
      }
    }
  });

  // -- the draft kept in this browser -------------------------------------------------------------

  function readDraft() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }
  function keepDraft() {
    if (!state.touched) { return; }  // nothing edited yet: a draft waiting to be restored stays
    try {
      if (state.text === host.savedText()) { window.localStorage.removeItem(storeKey); }
      else { window.localStorage.setItem(storeKey, JSON.stringify({text: state.text, when: new Date().toISOString()})); }
    } catch (e) { /* storage full or refused: the session still has undo */ }
  }
  function dropDraft() { try { window.localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ } }

  function offerDraft() {
    var draft = readDraft();
    if (!draft || draft.text === host.savedText()) { return; }
    draftBox.querySelector(".cs-draft-when").textContent = fill(t("draft_found"), {when: new Date(draft.when).toLocaleString()});
    draftBox.hidden = false;
  }

  window.addEventListener("pagehide", function () { window.clearTimeout(draftTimer); keepDraft(); });
  window.addEventListener("beforeunload", function (event) {
    if (state.text !== host.savedText()) { event.preventDefault(); event.returnValue = ""; }
  });

  offerDraft();
  refresh(state.text, []);
  return {
    refresh: refresh, open: open, text: function () { return state.text; },
    dirty: function () { return state.text !== host.savedText(); },
    saved: function () { dropDraft(); draftBox.hidden = true; },
    keep: function () { window.clearTimeout(draftTimer); keepDraft(); },  // the editor closes
    goTo: function (problem) { if (problem.form) { open(problem.form, problem.field); } },
    openPlace: function (id) {
      var place = (state.outline ? state.outline.places : []).filter(function (p) { return p.id === id; })[0];
      if (place) { open(place.at); }
    }
  };
}
