/*
 * Samplan: the session timeout warning, and form text kept across a timeout.
 *
 * The server renders the warning dialog (templates/base.html, #session-timeout) on every page
 * of a logged-in session, staff or Min SIP, with the seconds the session has left
 * (data-seconds-left) and how long before the end to warn (data-warning-seconds,
 * SESSION_WARNING_SECONDS). When the warning is due the dialog opens: "Stay logged in" posts
 * the dialog's form (with its CSRF token) to the keep-alive view, which restarts the idle
 * clock and answers the new seconds left; Escape does the same; "Log out" logs out. If the
 * time runs out, the page goes to the login page, whose `next` brings the user back here
 * (data-login-url). Tabs share the end time through localStorage, so a tab in use keeps the
 * others from warning. Without JavaScript none of this runs and the server's timeout holds.
 *
 * Form text: what is typed into a POST form on a logged-in page is kept in sessionStorage
 * (this browser tab only), per session owner (an opaque tag, data-owner), form (its action
 * URL) and field name, and filled in again when the page is shown again, e.g. after logging
 * in again. It is forgotten when the form has been sent without errors and on logging out.
 * Not kept: passwords, hidden and file inputs, and any field inside an element marked
 * data-no-keep or autocomplete="off" (identity numbers are autocomplete="off").
 * No inline script or style: the CSP allows scripts from 'self' only.
 */
(function () {
  "use strict";

  var FORM_PREFIX = "samplan.form:"; // + owner + ":" + form action
  var PENDING = "samplan.form.sent"; // the key of the form just sent, until the next page
  var DEADLINE = "samplan.session.end"; // localStorage: {owner, at} shared by the tabs
  var MARGIN_MS = 2000; // after the server's timeout, before going to the login page
  var TEXT_TYPES = [
    "text", "search", "email", "tel", "url", "number", "date", "time", "datetime-local",
    "month", "week",
  ];

  function store(name) {
    try {
      var s = window[name];
      s.getItem(FORM_PREFIX);
      return s;
    } catch (error) {
      return null; // storage turned off: the warning still works, text is not kept
    }
  }

  var tab = store("sessionStorage");
  var shared = store("localStorage");
  var dialog = document.getElementById("session-timeout");
  var owner = dialog ? dialog.getAttribute("data-owner") : "";

  // --- Form text ---------------------------------------------------------------------------

  function isPost(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post";
  }

  function formKey(form) {
    // getAttribute: form.action may be shadowed by a field named "action".
    var url = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    return FORM_PREFIX + owner + ":" + url.pathname + url.search;
  }

  function isKept(field) {
    if (!field.name || field.disabled) return false;
    if (field.closest('[data-no-keep], [autocomplete="off" i]')) return false;
    if (field.tagName === "TEXTAREA" || field.tagName === "SELECT") return true;
    if (field.tagName !== "INPUT") return false;
    var type = (field.getAttribute("type") || "text").toLowerCase();
    return TEXT_TYPES.indexOf(type) >= 0 || type === "radio" || type === "checkbox";
  }

  function fieldId(field) {
    return field.type === "radio" || field.type === "checkbox"
      ? field.name + "=" + field.value
      : field.name;
  }

  function selected(field, initial) {
    return Array.prototype.filter
      .call(field.options, function (option) {
        return initial ? option.defaultSelected : option.selected;
      })
      .map(function (option) {
        return option.value;
      })
      .join("\n");
  }

  // The field's value now, and as the server rendered it; both as strings.
  function valueOf(field, initial) {
    if (field.type === "radio" || field.type === "checkbox") {
      return String(initial ? field.defaultChecked : field.checked);
    }
    if (field.tagName === "SELECT") return selected(field, initial);
    return initial ? field.defaultValue : field.value;
  }

  function setValue(field, value) {
    if (field.type === "radio" || field.type === "checkbox") {
      field.checked = value === "true";
    } else if (field.tagName === "SELECT") {
      var values = value.split("\n");
      Array.prototype.forEach.call(field.options, function (option) {
        option.selected = values.indexOf(option.value) >= 0;
      });
    } else {
      field.value = value;
    }
  }

  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, isKept);
  }

  function save(form) {
    var changed = {};
    var any = false;
    keptFields(form).forEach(function (field) {
      var value = valueOf(field, false);
      var initial = valueOf(field, true);
      if (value !== initial) {
        changed[fieldId(field)] = { value: value, initial: initial };
        any = true;
      }
    });
    try {
      if (any) tab.setItem(formKey(form), JSON.stringify(changed));
      else tab.removeItem(formKey(form));
    } catch (error) {
      // Storage full: the text is simply not kept.
    }
  }

  // Fill in what was kept, where the server still renders the value it did then (never over
  // something saved meanwhile). Returns whether anything was filled in.
  function restore(form) {
    var kept;
    try {
      kept = JSON.parse(tab.getItem(formKey(form)) || "null");
    } catch (error) {
      kept = null;
    }
    if (!kept) return false;
    var filled = false;
    keptFields(form).forEach(function (field) {
      var entry = kept[fieldId(field)];
      if (!entry || valueOf(field, true) !== entry.initial) return;
      if (valueOf(field, false) === entry.value) return;
      setValue(field, entry.value);
      filled = true;
    });
    return filled;
  }

  function announceRestored(form) {
    var note = document.createElement("p");
    note.className = "message session-restored";
    note.setAttribute("role", "status");
    note.textContent = dialog.getAttribute("data-restored");
    form.insertBefore(note, form.firstChild);
  }

  function forget(prefix) {
    for (var i = tab.length - 1; i >= 0; i--) {
      var key = tab.key(i);
      if (key && key.indexOf(prefix) === 0) tab.removeItem(key);
    }
  }

  function forgetOthers() {
    // Text of someone else who used this tab before is never shown to this user.
    var mine = FORM_PREFIX + owner + ":";
    for (var i = tab.length - 1; i >= 0; i--) {
      var key = tab.key(i);
      if (key && key.indexOf(FORM_PREFIX) === 0 && key.indexOf(mine) !== 0) tab.removeItem(key);
    }
  }

  function isLogout(form) {
    var logout = dialog.querySelector(".session-dialog__logout");
    return form.getAttribute("action") === logout.getAttribute("action");
  }

  function keepForms() {
    // The form sent on the page before: sent without errors unless this page shows the
    // error summary, or is not a logged-in page (the session ended: the login page).
    var sent = tab.getItem(PENDING);
    if (sent) {
      tab.removeItem(PENDING);
      if (dialog && !document.querySelector(".error-summary")) tab.removeItem(sent);
    }
    if (!dialog) return;
    forgetOthers();

    var forms = Array.prototype.filter.call(document.forms, function (form) {
      return isPost(form) && !dialog.contains(form) && keptFields(form).length > 0;
    });
    forms.forEach(function (form) {
      if (restore(form)) announceRestored(form);
    });

    function onEdit(event) {
      var form = event.target.form;
      if (form && forms.indexOf(form) >= 0 && isKept(event.target)) save(form);
    }
    document.addEventListener("input", onEdit);
    document.addEventListener("change", onEdit);
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (isLogout(form)) {
        forget(FORM_PREFIX);
      } else if (forms.indexOf(form) >= 0) {
        save(form);
        tab.setItem(PENDING, formKey(form));
      }
    });
  }

  if (tab) keepForms();
  if (!dialog || typeof dialog.showModal !== "function") return;

  // --- The timeout warning -----------------------------------------------------------------

  var warningMs = parseInt(dialog.getAttribute("data-warning-seconds"), 10) * 1000;
  var end = Date.now() + parseInt(dialog.getAttribute("data-seconds-left"), 10) * 1000;
  var stayForm = dialog.querySelector(".session-dialog__stay");
  var timeText = dialog.querySelector(".session-dialog__time");
  var before = null; // the element that had focus before the dialog opened
  var asking = false; // a keep-alive request is under way
  var closing = false; // the script closed the dialog (its close event is still to come)
  var timer = null;

  function shareEnd() {
    if (!shared) return;
    try {
      shared.setItem(DEADLINE, JSON.stringify({ owner: owner, at: end }));
    } catch (error) {
      // Not shared: each tab then warns on its own.
    }
  }

  function sharedEnd() {
    try {
      var entry = JSON.parse((shared && shared.getItem(DEADLINE)) || "null");
      return entry && entry.owner === owner ? entry.at : 0;
    } catch (error) {
      return 0;
    }
  }

  function duration(ms) {
    var seconds = Math.max(1, Math.ceil(ms / 1000));
    if (seconds > 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes === 1
        ? dialog.getAttribute("data-minute")
        : dialog.getAttribute("data-minutes").replace("{count}", minutes);
    }
    return seconds === 1
      ? dialog.getAttribute("data-second")
      : dialog.getAttribute("data-seconds").replace("{count}", seconds);
  }

  function showTimeLeft(ms) {
    var text = timeText.getAttribute("data-text").replace("{time}", duration(ms));
    if (timeText.textContent !== text) timeText.textContent = text;
  }

  function open(ms) {
    showTimeLeft(ms);
    before = document.activeElement;
    dialog.showModal();
    var button = stayForm.querySelector("button");
    if (button) button.focus();
  }

  function close() {
    if (!dialog.open) return;
    closing = true;
    dialog.close();
    if (before && typeof before.focus === "function" && document.contains(before)) {
      before.focus();
    }
  }

  function expire() {
    window.clearInterval(timer);
    window.location.assign(dialog.getAttribute("data-login-url"));
  }

  function stay() {
    if (asking) return;
    asking = true;
    window
      .fetch(stayForm.getAttribute("action"), {
        method: "POST",
        body: new FormData(stayForm),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        redirect: "manual", // an ended session is redirected to the login: not an answer
      })
      .then(function (response) {
        if (!response.ok) throw new Error("no session");
        return response.json();
      })
      .then(function (answer) {
        end = Date.now() + answer.seconds_left * 1000;
        shareEnd();
        asking = false;
        close();
      })
      .catch(function () {
        expire();
      });
  }

  function tick() {
    end = Math.max(end, sharedEnd()); // another tab may have kept the session alive
    var left = end - Date.now();
    if (left <= -MARGIN_MS) {
      expire();
    } else if (left <= warningMs) {
      if (dialog.open) showTimeLeft(left);
      else if (!asking) open(left);
    } else if (dialog.open && !asking) {
      close();
    }
  }

  stayForm.addEventListener("submit", function (event) {
    event.preventDefault();
    stay();
  });
  // Escape: the user is here, so the session is kept (as the button does).
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    stay();
  });
  dialog.addEventListener("close", function () {
    if (closing) closing = false;
    else stay(); // closed by the browser (a second Escape): keep the session too
  });

  end = Math.max(end, sharedEnd());
  shareEnd();
  timer = window.setInterval(tick, 1000);
  tick();
})();
