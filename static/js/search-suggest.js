// Search suggestions as an ARIA combobox with a listbox popup (WAI-ARIA Authoring Practices,
// "combobox with list autocomplete"). htmx fetches the server-rendered options into
// `<input id>-listbox` as the patient types; this script opens and closes the list, moves the
// active option with the arrow keys, picks it with Enter or a click and closes it with Escape.
// Without JavaScript the input stays a plain search box in a GET form.
(function () {
  "use strict";

  function setup(input) {
    var listbox = document.getElementById(input.id + "-listbox");
    var status = document.getElementById(input.id + "-status");
    if (!listbox || input.dataset.suggestReady) return;
    input.dataset.suggestReady = "1";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    var active = -1;

    function options() {
      return listbox.querySelectorAll('[role="option"]');
    }

    function setActive(index) {
      var all = options();
      active = index;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      if (!options().length) return close();
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function isOpen() {
      return input.getAttribute("aria-expanded") === "true";
    }

    function choose(option) {
      if (option.dataset.href) {
        window.location.assign(option.dataset.href);
        return;
      }
      input.value = option.dataset.value;
      close();
      if (input.form) input.form.requestSubmit();
    }

    function announce(count) {
      if (!status) return;
      if (!count) status.textContent = "";
      else if (count === 1) status.textContent = status.dataset.one;
      else status.textContent = status.dataset.many.replace("__count__", String(count));
    }

    listbox.addEventListener("htmx:afterSwap", function () {
      var all = options();
      all.forEach(function (option, i) {
        option.id = listbox.id + "-" + i;
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (all.length && document.activeElement === input) open();
      else close();
      announce(all.length);
    });

    input.addEventListener("keydown", function (event) {
      var count = options().length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!count) return;
        event.preventDefault();
        if (!isOpen()) {
          open();
          setActive(event.key === "ArrowDown" ? 0 : count - 1);
        } else if (event.key === "ArrowDown") {
          setActive(active + 1 >= count ? 0 : active + 1);
        } else {
          setActive(active <= 0 ? count - 1 : active - 1);
        }
      } else if (event.key === "Enter") {
        if (isOpen() && active >= 0) {
          event.preventDefault();
          choose(options()[active]);
        }
      } else if (event.key === "Escape") {
        if (isOpen()) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("input", function () {
      if (!input.value.trim()) {
        listbox.innerHTML = "";
        close();
        announce(0);
      }
    });

    // A click picks an option; pressing on it must not blur the input first.
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) choose(option);
    });
    input.addEventListener("blur", close);
  }

  function init() {
    document.querySelectorAll("input[data-suggest]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
