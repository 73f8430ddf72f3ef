// Switchboard console enhancements. Every page works without this file.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source || !navigator.clipboard) return;
  var label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", function () {
    // A field's value (the button snippet), or an element's text (SIDs, tokens).
    var text = "value" in source ? source.value : source.textContent.trim();
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
});
var logoInput = document.getElementById("logo");
var logoPreview = document.getElementById("logo-preview");
if (logoInput && logoPreview && window.FileReader) {
  logoInput.addEventListener("change", function () {
    var file = logoInput.files && logoInput.files[0];
    if (!file || !/^image\/(png|jpeg|gif|webp)$/.test(file.type)) { logoPreview.hidden = true; return; }
    var reader = new FileReader();
    reader.onload = function () { logoPreview.src = reader.result; logoPreview.hidden = false; };
    reader.readAsDataURL(file);
  });
}
