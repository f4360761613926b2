// Progressive enhancement of the register form: with JavaScript on, submit it with fetch and
// show the answer inline; with JavaScript off the same form posts and the page reloads.
(function () {
  "use strict";
  var form = document.getElementById("register");
  var result = document.getElementById("result");
  var list = document.getElementById("registers");
  if (!form || !window.fetch) {
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (answer) {
        result.hidden = false;
        result.className = answer.ok ? "notice" : "error";
        result.textContent = answer.ok ? answer.data.message : answer.data.error;
        if (answer.ok) {
          var none = list.querySelector(".none");
          if (none) {
            none.remove();
          }
          var item = document.createElement("li");
          var register = answer.data.register;
          var present = register.marks.filter(function (mark) {
            return mark.mark !== "absent";
          }).length;
          item.textContent = register.date + " " + register.session + ": " + present + " of " +
            register.marks.length + " present (by " + register.taken_by + ")";
          list.insertBefore(item, list.firstChild);
        }
      })
      .catch(function () {
        result.hidden = false;
        result.className = "error";
        result.textContent = "The register could not be sent; try again.";
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
