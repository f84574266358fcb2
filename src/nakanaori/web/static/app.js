// 仲直り: progressive enhancements. Every form works without this file.
// The チェック page becomes a live editor: it re-checks through POST /api/check as the user types,
// draws the highlights behind the textarea, applies a finding's suggestion (「反映」) with undo, and
// sends feedback (POST /api/feedback) only after an explicit yes.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var DEBOUNCE_MS = 350;
  var VERDICT_ICON = { send: "✓", improve: "✎", counter: "!", none: "?" };
  var GOOD_LABELS = ["apology", "responsibility", "empathy", "gratitude", "commitment", "patience", "forward"];

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // el("p", {class: "x"}, ["text", child]) — text goes in as text, never as HTML.
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  // LINE's share URL, encoded exactly like the server's urllib.parse.quote(text, safe="").
  function lineShareUrl(text) {
    return "https://line.me/R/share?text=" + encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  function flash(button, label) {
    var old = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", old);
    button.textContent = label;
    button.classList.add("copied");
    setTimeout(function () { button.textContent = old; button.classList.remove("copied"); }, 1600);
  }

  function copyText(text, button) {
    var done = function () { flash(button, "コピーしました"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else { fallbackCopy(text); done(); }
  }

  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
    document.body.appendChild(ta); ta.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing else to try */ }
    document.body.removeChild(ta);
  }

  function csrfToken() {
    var holder = document.querySelector("[data-csrf]");
    if (holder) return holder.getAttribute("data-csrf");
    var input = document.querySelector("input[name=csrf]");
    return input ? input.value : "";
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body || {}),
      keepalive: true
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { var err = new Error(data.message || "HTTP " + r.status); err.status = r.status; throw err; }
        return data;
      });
    });
  }

  // Code points before a UTF-16 offset (the API's spans are code points; JavaScript counts UTF-16).
  function codePoints(s, utf16) { return Array.from(s.slice(0, utf16)).length; }

  ready(function () {
    // Copy buttons: data-copy="<id of the element whose text to copy>".
    document.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var node = document.getElementById(btn.getAttribute("data-copy"));
        if (node) copyText(node.textContent.trim(), btn);
      });
    });

    // Confirm destructive forms.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
      });
    });

    // 「LINEで送る」 on a plan step: the journal marks the step as sent (the link itself opens LINE).
    document.querySelectorAll("a[data-step-sent]").forEach(function (a) {
      a.addEventListener("click", function () {
        var id = a.getAttribute("data-step-sent");
        postJSON("/api/journal/steps/" + encodeURIComponent(id) + "/sent").then(function () {
          var li = document.getElementById("step-" + id);
          if (!li) return;
          li.classList.add("done", "sent");
          var tick = li.querySelector("button.tick");
          if (tick) { tick.setAttribute("aria-pressed", "true"); tick.textContent = "✓"; }
          var date = li.querySelector(".step-date");
          if (date && !date.querySelector(".chip.sent")) date.appendChild(el("span", { class: "chip ok sent", text: "LINEで送った" }));
        }, function () { /* the link still opened LINE; the mark can be ticked by hand */ });
      });
    });

    // Character counters (LINE allows 5,000 characters per message); the editor's sits in its toolbar.
    document.querySelectorAll("textarea[maxlength]").forEach(function (ta) {
      var max = parseInt(ta.getAttribute("maxlength"), 10);
      var out = el("span", { class: "counter muted small" });
      var update = function () { out.textContent = Array.from(ta.value).length + " / " + max.toLocaleString() + "文字"; };
      var tools = ta.id === "draft-input" ? document.getElementById("editor-tools") : null;
      if (tools) tools.appendChild(out); else ta.insertAdjacentElement("afterend", out);
      update();
      ta.addEventListener("input", update);
    });

    var ta = document.getElementById("draft-input");
    if (ta) editor(ta);
  });

  // ------------------------------------------------------------------ the チェック editor
  function editor(ta) {
    var form = document.getElementById("check-form");
    var backdrop = document.getElementById("draft");
    var box = document.getElementById("editor");
    var result = document.getElementById("result");
    var status = document.getElementById("live-status");
    var undoBtn = document.getElementById("undo-btn");
    var copyBtn = document.getElementById("copy-btn");
    var lineBtn = document.getElementById("line-btn");
    var rel = form.querySelector("select[name=relationship]");
    var stg = form.querySelector("select[name=stage]");
    var labelOptions = document.getElementById("label-options");
    var report = null;
    var timer = null;
    var inflight = null;
    var undo = [];
    var lastSelection = null;
    var lastAnnounced = "";

    var data = document.getElementById("report-data");
    if (data) {
      try { report = JSON.parse(data.textContent); } catch (e) { report = null; }
      if (report && report.text !== ta.value) report = null;
    }

    function autosize() {
      ta.style.height = "auto";
      ta.style.height = Math.max(ta.scrollHeight, 120) + "px";
    }

    // The highlight layer: the same text, cut at every finding boundary (UTF-16 offsets, like the textarea).
    // spans: [{i: index in report.findings, kind, s, e}]
    var shown = { text: "", spans: [] };
    function spansOf(findings) {
      return findings.map(function (f, i) { return { i: i, kind: f.kind, s: f.start_utf16, e: f.end_utf16 }; });
    }
    function drawMarks(text, spans) {
      shown = { text: text, spans: spans };
      var cuts = [0, text.length];
      spans.forEach(function (m) { if (m.s < m.e && m.e <= text.length) cuts.push(m.s, m.e); });
      cuts = Array.from(new Set(cuts)).sort(function (a, b) { return a - b; });
      backdrop.textContent = "";
      for (var k = 0; k + 1 < cuts.length; k++) {
        var a = cuts[k], b = cuts[k + 1], ids = [], ng = false;
        spans.forEach(function (m) {
          if (m.s <= a && b <= m.e && m.s < m.e) { ids.push(m.i); if (m.kind === "ng") ng = true; }
        });
        var piece = text.slice(a, b);
        if (ids.length) backdrop.appendChild(el("mark", { class: "hl hl-" + (ng ? "ng" : "good"), "data-findings": ids.join(" ") }, [piece]));
        else backdrop.appendChild(document.createTextNode(piece));
      }
      backdrop.appendChild(document.createTextNode(" ")); // a trailing newline keeps its height
    }
    // While the user types, the marks follow the text: those before the edit stay, those after it
    // move with it, those it touched go until the next check answers.
    function followEdit(text) {
      var old = shown.text, p = 0, q = 0;
      while (p < old.length && p < text.length && old.charCodeAt(p) === text.charCodeAt(p)) p++;
      while (q < old.length - p && q < text.length - p && old.charCodeAt(old.length - 1 - q) === text.charCodeAt(text.length - 1 - q)) q++;
      var editEnd = old.length - q, delta = text.length - old.length;
      var spans = [];
      shown.spans.forEach(function (m) {
        if (m.e <= p) spans.push(m);
        else if (m.s >= editEnd) spans.push({ i: m.i, kind: m.kind, s: m.s + delta, e: m.e + delta });
      });
      drawMarks(text, spans);
    }

    function syncSide() {
      lineBtn.href = lineShareUrl(ta.value);
      undoBtn.disabled = undo.length === 0;
    }

    function announce(text) {
      if (text && text !== lastAnnounced) { status.textContent = text; lastAnnounced = text; }
    }

    function findingCard(f, i) {
      var ng = f.kind === "ng";
      var head = el("p", { class: "finding-head" }, [
        el("span", { class: "chip " + (ng ? "bad" : "ok") }, [el("span", { "aria-hidden": "true", text: ng ? "⚠ " : "✓ " }), f.label_ja]),
        " ",
        el("q", { class: "hl hl-" + f.kind }, [el("span", { class: "sr", text: ng ? "避けたい言い回し:" : "伝わる言葉:" }), f.text])
      ]);
      var kids = [head, el("p", { class: "why", text: f.why })];
      if (ng && f.suggestion !== null && f.suggestion !== undefined) {
        kids.push(f.suggestion
          ? el("p", { class: "suggest" }, ["言い換え: ", el("strong", { text: f.suggestion })])
          : el("p", { class: "suggest" }, ["この部分は", el("strong", { text: "削る" }), "のがおすすめです"]));
      }
      if (ng && f.hint) kids.push(el("p", { class: "hint", text: f.hint }));
      var actions = el("div", { class: "actions" });
      if (ng && f.suggestion !== null && f.suggestion !== undefined) {
        actions.appendChild(el("button", { type: "button", class: "btn small apply js-only", "data-apply": String(i), text: "反映" }));
      }
      actions.appendChild(el("button", { type: "button", class: "btn small quiet js-only", "data-dispute": String(i), text: "この指摘は違う" }));
      kids.push(actions);
      return el("li", { id: "f-" + i, class: "finding finding-" + f.kind, "data-i": String(i), "data-label": f.label }, kids);
    }

    function renderResult(r) {
      var v = r.verdict;
      var keep = result.querySelector("form.save-form");
      var title = document.getElementById("result-title");
      result.textContent = "";
      result.appendChild(title);
      result.setAttribute("data-text", r.text);
      var meta = el("p", { class: "meta small" }, ["文体: " + ({ casual: "くだけた話し言葉", polite: "です・ます", honorific: "敬語(謙譲語・尊敬語)" }[r.register] || r.register)]);
      if (r.register_ok === true) meta.appendChild(el("span", { class: "chip ok", text: "✓ 関係に合っています" }));
      if (r.register_ok === false) meta.appendChild(el("span", { class: "chip bad", text: "⚠ 関係に合っていません" }));
      if (r.score !== null && r.score !== undefined) meta.appendChild(el("span", { class: "score" }, ["スコア ", el("span", { "data-testid": "score", text: String(r.score) }), "/100"]));
      result.appendChild(el("div", { class: "verdict verdict-" + v.level, id: "verdict" }, [
        el("p", { class: "verdict-head" }, [el("span", { class: "verdict-icon", "aria-hidden": "true", text: VERDICT_ICON[v.level] || "" }), el("strong", { id: "verdict-headline", text: v.headline })]),
        v.level !== "none" ? el("p", { class: "fix-count", "data-testid": "fix-count" }, v.fix_count ? ["直すところ ", el("strong", { text: String(v.fix_count) }), " つ"] : ["直すところはありません"]) : null,
        el("p", { class: "verdict-summary", text: v.summary }),
        meta
      ]));
      var fixes = [], goods = [];
      r.findings.forEach(function (f, i) { (f.kind === "ng" ? fixes : goods).push(findingCard(f, i)); });
      var warnings = r.notes.filter(function (n) { return n.severity === "warning"; });
      var others = r.notes.filter(function (n) { return n.severity !== "warning"; });
      if (fixes.length || warnings.length) {
        result.appendChild(el("h3", { text: "直すところ" }));
        var ol = el("ol", { class: "findings fixes", id: "fixes" }, fixes);
        warnings.forEach(function (n) {
          ol.appendChild(el("li", { class: "finding finding-note" }, [
            el("p", { class: "finding-head" }, [el("span", { class: "chip warn" }, [el("span", { "aria-hidden": "true", text: "✎ " }), "全体"])]),
            el("p", { class: "why", text: n.message })
          ]));
        });
        result.appendChild(ol);
      }
      if (goods.length) {
        result.appendChild(el("details", { class: "goods", id: "goods" }, [
          el("summary", { text: "伝わっている言葉 " + goods.length + " つ" }),
          el("ol", { class: "findings" }, goods)
        ]));
      }
      if (others.length) {
        result.appendChild(el("ul", { class: "notes" }, others.map(function (n) { return el("li", { class: "note note-" + n.severity, text: n.message }); })));
      }
      if (r.japanese) {
        var present = {};
        r.good.forEach(function (g) { present[g] = true; });
        var count = GOOD_LABELS.filter(function (g) { return present[g]; }).length;
        result.appendChild(el("h3", { text: "7つの要素" }));
        result.appendChild(el("ul", { class: "checklist", id: "checklist", "aria-label": "伝わる要素 " + count + "/7" }, GOOD_LABELS.map(function (g) {
          var on = !!present[g];
          return el("li", { class: on ? "on" : "off", "data-label": g }, [
            el("span", { class: "mark", "aria-hidden": "true", text: on ? "✓" : "–" }), labelJa(g), el("span", { class: "sr", text: ": " + (on ? "あり" : "なし") })
          ]);
        })));
      }
      result.appendChild(el("div", { class: "actions result-actions js-flex" }, [
        el("button", { type: "button", class: "btn small quiet", id: "missed-btn", "aria-expanded": "false", "aria-controls": "missed-panel", text: "見落としを報告" })
      ]));
      if (keep) {
        keep.querySelector("input[name=text]").value = r.text;
        result.appendChild(keep);
      }
      result.removeAttribute("aria-busy");
    }

    function labelJa(label) {
      var opt = labelOptions && labelOptions.content.querySelector('option[value="' + label + '"]');
      return opt ? opt.textContent : label;
    }

    function showError(message) {
      var title = document.getElementById("result-title");
      result.textContent = "";
      result.appendChild(title);
      result.appendChild(el("p", { class: "alert", role: "alert", id: "live-error", text: message }));
      result.removeAttribute("aria-busy");
    }

    function showEmpty() {
      var title = document.getElementById("result-title");
      result.textContent = "";
      result.appendChild(title);
      result.appendChild(el("p", { class: "empty", id: "result-empty", text: "下書きを書くと、ここに結果が出ます。" }));
      result.removeAttribute("aria-busy");
    }

    function runCheck() {
      clearTimeout(timer);
      if (inflight) inflight.abort();
      var text = ta.value;
      if (!text.trim()) { report = null; inflight = null; drawMarks(text, []); showEmpty(); return; }
      var ctl = new AbortController();
      inflight = ctl;
      result.setAttribute("aria-busy", "true");
      var body = { text: text };
      if (rel.value) body.relationship = rel.value;
      if (stg.value) body.stage = stg.value;
      fetch("/api/check", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: ctl.signal
      }).then(function (res) {
        return res.json().then(function (d) { return { ok: res.ok, data: d }; });
      }).then(function (out) {
        if (ctl.signal.aborted || ta.value !== text) return; // a newer request is on its way
        inflight = null;
        if (!out.ok) { report = null; drawMarks(text, []); showError(out.data.message || "チェックできませんでした。"); return; }
        report = out.data;
        drawMarks(report.text, spansOf(report.findings));
        renderResult(report);
        activateAtCaret();
        announce(report.verdict.headline + (report.verdict.level !== "none" && report.verdict.fix_count ? "。直すところ " + report.verdict.fix_count + " つ" : ""));
      }).catch(function (err) {
        if (err && err.name === "AbortError") return;
        if (inflight === ctl) { inflight = null; showError("チェックできませんでした。通信を確かめて、もう一度お試しください。"); }
      });
    }

    function schedule() {
      followEdit(ta.value);
      clearTimeout(timer);
      timer = setTimeout(runCheck, DEBOUNCE_MS);
    }

    // 「反映」: replace the finding's words with its suggestion ("" deletes them) through the editing
    // commands, so the browser's own undo (Ctrl+Z) keeps working too; then re-check at once.
    function replaceRange(start, end, text) {
      var before = ta.value;
      ta.focus();
      ta.setSelectionRange(start, end);
      var ok = false;
      try { ok = document.execCommand(text ? "insertText" : "delete", false, text); } catch (e) { ok = false; }
      var expected = before.slice(0, start) + text + before.slice(end);
      if (!ok || ta.value !== expected) {
        ta.value = expected;
        ta.setSelectionRange(start + text.length, start + text.length);
      }
    }

    function apply(i) {
      if (!report || ta.value !== report.text) { runCheck(); return; }
      var f = report.findings[i];
      if (!f || f.suggestion === null || f.suggestion === undefined) return;
      var s = f.start_utf16, e = f.end_utf16, text = ta.value;
      if (text.slice(s, e) !== f.text) return;
      if (f.suggestion === "") {
        // deleting a clause: take its now-orphaned punctuation along (「。でも…仕方なかった。」 → 「。」)
        var prev = s === 0 ? "" : text.charAt(s - 1);
        if ((s === 0 || "。、!?!?\n ".indexOf(prev) >= 0) && "。、,!?!?".indexOf(text.charAt(e)) >= 0) e += 1;
      }
      var repl = f.suggestion;
      // the words replaced ended a sentence (「…よね?」): the new words end it too, as a statement
      var last = f.text.slice(-1);
      if (repl && "。!?!?".indexOf(last) >= 0 && "。!?!?".indexOf(repl.slice(-1)) < 0) {
        repl += last === "!" || last === "!" ? last : "。";
      }
      undo.push({ value: text, start: ta.selectionStart, end: ta.selectionEnd });
      replaceRange(s, e, repl);
      autosize();
      syncSide();
      announce(repl ? "「" + f.text + "」を「" + repl + "」に直しました" : "「" + f.text + "」を削りました");
      runCheck();
    }

    function undoLast() {
      var snap = undo.pop();
      if (!snap) return;
      replaceRange(0, ta.value.length, snap.value);
      ta.setSelectionRange(snap.start, snap.end);
      autosize();
      syncSide();
      announce("元に戻しました");
      runCheck();
    }

    // The caret inside a highlight: a one-line hint right under the text box (with 「反映」 for a
    // problem), and its card in the result is marked.
    var hint = document.getElementById("caret-hint");
    function activateAtCaret() {
      document.querySelectorAll(".finding.active").forEach(function (x) { x.classList.remove("active"); });
      hint.hidden = true;
      hint.textContent = "";
      if (!report || ta.value !== report.text || document.activeElement !== ta) return;
      var pos = ta.selectionStart;
      var here = [];
      report.findings.forEach(function (f, i) { if (f.start_utf16 <= pos && pos < f.end_utf16) here.push(i); });
      here.sort(function (a, b) { return (report.findings[a].kind === "ng" ? 0 : 1) - (report.findings[b].kind === "ng" ? 0 : 1); });
      here.forEach(function (i) {
        var f = report.findings[i], ng = f.kind === "ng";
        var card = document.getElementById("f-" + i);
        if (card) card.classList.add("active");
        var line = el("p", { class: "hint-line" }, [
          el("span", { class: "chip " + (ng ? "bad" : "ok") }, [el("span", { "aria-hidden": "true", text: ng ? "⚠ " : "✓ " }), f.label_ja]),
          " "
        ]);
        if (ng && f.suggestion) line.appendChild(el("span", {}, ["→ ", el("strong", { text: f.suggestion })]));
        else if (ng && f.suggestion === "") line.appendChild(el("span", { text: "削るのがおすすめ" }));
        else line.appendChild(el("span", { class: "muted", text: "伝わる言葉" }));
        if (ng && f.suggestion !== null && f.suggestion !== undefined) {
          line.appendChild(el("button", { type: "button", class: "btn small apply", "data-apply": String(i), text: "反映" }));
        }
        line.appendChild(el("a", { href: "#f-" + i, class: "small", text: "理由" }));
        hint.appendChild(line);
      });
      hint.hidden = here.length === 0;
    }
    hint.addEventListener("mousedown", function (ev) { ev.preventDefault(); }); // keep the caret in the text box
    hint.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-apply]");
      if (b) apply(parseInt(b.getAttribute("data-apply"), 10));
      var a = ev.target.closest("a[href^='#f-']");
      if (a) {
        var card = document.getElementById(a.getAttribute("href").slice(1));
        var fold = card && card.closest("details");
        if (fold) fold.open = true;
      }
    });

    // ---- feedback: 「この指摘は違う」 and 「見落としを報告」, stored only after an explicit yes
    function closePanels() {
      document.querySelectorAll(".fb-panel").forEach(function (p) { p.remove(); });
      document.querySelectorAll("[aria-expanded=true]").forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
    }

    function consentPanel(id, intro, extra, send) {
      var include = el("input", { type: "checkbox", name: "include_text", id: id + "-text" });
      var msg = el("p", { class: "fb-status", role: "status" });
      var yes = el("button", { type: "button", class: "btn small primary", "data-fb-send": "", text: "はい、送る" });
      var no = el("button", { type: "button", class: "btn small", "data-fb-cancel": "", text: "やめる" });
      var panel = el("div", { class: "fb-panel", id: id, role: "group", "aria-labelledby": id + "-intro" }, [
        el("p", { id: id + "-intro", text: intro })
      ].concat(extra).concat([
        el("p", { class: "small muted", text: "送るのは、指摘の種類と出どころ、文体、選んだ関係と状況だけです。文面(と語句の位置)は、下にチェックを入れたときだけ一緒に送ります。" }),
        el("label", { class: "check", for: id + "-text" }, [include, el("span", { text: "文面も一緒に送る(分析の改善のために、担当者が読みます)" })]),
        el("div", { class: "actions" }, [yes, no]),
        msg
      ]));
      no.addEventListener("click", closePanels);
      yes.addEventListener("click", function () {
        var body = send(include.checked);
        if (!body) return;
        yes.disabled = true;
        postJSON("/api/feedback", body).then(function (out) {
          panel.textContent = "";
          panel.appendChild(el("p", { class: "fb-done", role: "status", "data-feedback-id": String(out.id), text: out.stored_text ? "ありがとうございます。文面と一緒に送りました。" : "ありがとうございます。送りました(文面は送っていません)。" }));
        }, function (err) {
          yes.disabled = false;
          msg.textContent = "送れませんでした。" + (err && err.message ? err.message : "");
        });
      });
      return panel;
    }

    function feedbackBody(kind, label, source, includeText, span) {
      var body = { kind: kind, consent: true, label: label, source: source, register: report.register, include_text: includeText };
      if (report.relationship) body.relationship = report.relationship;
      if (report.stage) body.stage = report.stage;
      if (includeText) { body.text = report.text; if (span) body.span = span; }
      return body;
    }

    function openDispute(i, button) {
      closePanels();
      var f = report && report.findings[i];
      if (!f) return;
      button.setAttribute("aria-expanded", "true");
      var panel = consentPanel("dispute-panel", "「" + f.text + "」を「" + f.label_ja + "」とした指摘は違う、と知らせますか?", [], function (includeText) {
        return feedbackBody("dispute", f.label, f.rule, includeText, [f.start, f.end]);
      });
      button.closest(".finding").appendChild(panel);
      panel.querySelector("[data-fb-send]").focus();
    }

    function openMissed(button) {
      closePanels();
      if (!report) return;
      button.setAttribute("aria-expanded", "true");
      var select = el("select", { id: "missed-label", name: "label" });
      select.innerHTML = labelOptions ? labelOptions.innerHTML : "";
      select.value = "excuse";
      var picked = el("p", { class: "small", id: "missed-words", text: "語句: まだ選んでいません" });
      var span = null;
      var pick = el("button", { type: "button", class: "btn small", id: "missed-pick", text: "下書きで選んだ語句を使う" });
      pick.addEventListener("click", function () {
        var sel = lastSelection || { start: ta.selectionStart, end: ta.selectionEnd };
        if (ta.value !== report.text || sel.start >= sel.end) {
          picked.textContent = "下書きの中で、気になる語句をなぞって選んでから押してください。";
          return;
        }
        span = [codePoints(ta.value, sel.start), codePoints(ta.value, sel.end)];
        picked.textContent = "語句: 「" + ta.value.slice(sel.start, sel.end) + "」";
      });
      var panel = consentPanel("missed-panel", "見落としている言い回しを知らせますか?", [
        el("label", { class: "field", for: "missed-label" }, [el("span", { text: "どの要素ですか" }), select]),
        el("div", { class: "actions" }, [pick]),
        picked
      ], function (includeText) {
        return feedbackBody("missed", select.value, null, includeText, span);
      });
      button.parentNode.insertAdjacentElement("afterend", panel);
      select.focus();
    }

    result.addEventListener("click", function (ev) {
      var t = ev.target.closest("button");
      if (!t) return;
      if (t.hasAttribute("data-apply")) apply(parseInt(t.getAttribute("data-apply"), 10));
      else if (t.hasAttribute("data-dispute")) openDispute(parseInt(t.getAttribute("data-dispute"), 10), t);
      else if (t.id === "missed-btn") { if (t.getAttribute("aria-expanded") === "true") closePanels(); else openMissed(t); }
    });

    ta.addEventListener("input", function () { autosize(); syncSide(); schedule(); });
    ta.addEventListener("select", function () { lastSelection = { start: ta.selectionStart, end: ta.selectionEnd }; });
    ["keyup", "click", "focus"].forEach(function (n) { ta.addEventListener(n, activateAtCaret); });
    ta.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
    [rel, stg].forEach(function (s) { s.addEventListener("change", function () { if (ta.value.trim()) runCheck(); }); });
    undoBtn.addEventListener("click", undoLast);
    copyBtn.addEventListener("click", function () { copyText(ta.value, copyBtn); });
    window.addEventListener("resize", autosize);

    autosize();
    syncSide();
    if (report) drawMarks(report.text, spansOf(report.findings));
    else if (ta.value.trim()) runCheck();
    if (result.hasAttribute("autofocus")) result.focus();
  }
})();
