// Live card check: as the student types, ask the public API and redraw the result and
// the fill guide. Without JavaScript the form still works as a plain POST.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var resultBox = document.getElementById("card-result");
  var image = document.getElementById("guide-img");
  var hint = document.getElementById("guide-hint");
  var handwriting = document.getElementById("handwriting");
  var fields = ["student_id", "name", "id_number", "education_type", "school_type", "name_pinyin"];
  var timer = null;
  var serial = 0;
  var imageUrl = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function issueList(id, className, mark, issues) {
    var list = el("ul", { id: id, "class": "list-unstyled " + className });
    issues.forEach(function (issue) {
      list.appendChild(el("li", { "data-field": issue.field, "data-code": issue.code }, mark + " " + issue.message));
    });
    return list;
  }

  function render(data) {
    var card = data.card || {};
    resultBox.textContent = "";
    resultBox.appendChild(el("div", {
      id: "result-status",
      "class": "alert py-2 " + (data.ok ? "alert-success" : "alert-danger")
    }, data.ok ? "没有发现错误，可以照下图涂卡。" : "有 " + data.errors.length + " 处错误，请先改正。"));
    if (data.errors.length) { resultBox.appendChild(issueList("result-errors", "text-danger", "✗", data.errors)); }
    if (data.warnings.length) { resultBox.appendChild(issueList("result-warnings", "text-warning-emphasis", "!", data.warnings)); }
    var dl = el("dl", { "class": "row mb-2 card-values" });
    function row(label, id, build) {
      dl.appendChild(el("dt", { "class": "col-4 col-sm-3" }, label));
      var dd = el("dd", { "class": "col-8 col-sm-9", id: id });
      build(dd);
      dl.appendChild(dd);
    }
    row("学号", "card-student-id", function (dd) { dd.classList.add("font-monospace"); dd.textContent = card.student_id || "—"; });
    row("身份证号", "card-id-number", function (dd) { dd.classList.add("font-monospace"); dd.textContent = card.id_number || "—"; });
    row("姓名区位码", "card-name-codes", function (dd) {
      if (card.name_mode === "handwritten") {
        dd.appendChild(el("span", { "class": "name-code handwritten" }, "不填区位码：正楷手写全名 " + card.name));
        return;
      }
      if (!card.name_codes || !card.name_codes.length) { dd.textContent = "—"; return; }
      card.name_codes.forEach(function (c) {
        var chip = el("span", { "class": "name-code" + (c.pinyin ? " unknown" : "") });
        chip.appendChild(el("span", { "class": "char" }, c.char));
        chip.appendChild(document.createTextNode(" "));
        chip.appendChild(el("span", { "class": "code font-monospace" }, c.code));
        if (c.pinyin) {
          chip.appendChild(document.createTextNode(" "));
          chip.appendChild(el("span", { "class": "pinyin" }, "旁写 " + c.pinyin));
        }
        dd.appendChild(chip);
      });
    });
    resultBox.appendChild(dl);
    if (handwriting) { handwriting.remove(); handwriting = null; }
  }

  function payload() {
    var body = {};
    fields.forEach(function (name) {
      var input = form.elements[name];
      if (input && (input.value !== "" || name !== "name_pinyin")) { body[name] = input.value; }
    });
    return body;
  }

  function refreshImage(ticket) {
    return fetch(form.dataset.guide, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.blob(); })
      .then(function (blob) {
        if (ticket !== serial) { return; }
        if (imageUrl) { URL.revokeObjectURL(imageUrl); }
        imageUrl = URL.createObjectURL(blob);
        image.src = imageUrl;
        image.classList.remove("d-none");
        if (hint) { hint.textContent = "图中涂黑的圆圈就是卡上要涂的。"; }
      });
  }

  function check() {
    var ticket = ++serial;
    fetch(form.dataset.api, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload())
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (ticket !== serial || data.error) { return; }
        render(data);
        return refreshImage(ticket);
      })
      .catch(function () { /* The plain POST still works: nothing to do. */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 350);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // A student's form comes prefilled: show its picture at once.
  if (form.elements.name && form.elements.name.value) { schedule(); }
}());
