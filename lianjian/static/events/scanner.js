// The door scanner: reads QR codes from the phone camera with jsQR and submits the code through
// the same form a person can type into. Without a camera (or permission) the typed form still works.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  var start = document.getElementById("camera-start");
  var video = document.getElementById("camera-video");
  if (!form || !start || !video || !window.jsQR || !navigator.mediaDevices) {
    if (start) { start.hidden = true; }
    return;
  }
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var last = "";
  var lastAt = 0;

  function submit(code) {
    var input = document.getElementById("scan-code");
    input.value = code;
    if (window.htmx) { window.htmx.trigger(form, "submit"); } else { form.submit(); }
  }

  function tick() {
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      var now = Date.now();
      // The same code held in front of the camera is submitted once every three seconds at most.
      if (found && found.data && (found.data !== last || now - lastAt > 3000)) {
        last = found.data;
        lastAt = now;
        submit(found.data);
      }
    }
    window.requestAnimationFrame(tick);
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      start.hidden = true;
      video.play();
      window.requestAnimationFrame(tick);
    }).catch(function () {
      start.hidden = true;
      document.getElementById("camera-error").hidden = false;
    });
  });
})();
