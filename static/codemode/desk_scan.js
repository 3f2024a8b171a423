// Code mode desk: a photo taken with the phone's camera is sent at once.
(function () {
  var photo = document.getElementById("id_photo");
  if (!photo) return;
  photo.addEventListener("change", function () {
    if (photo.files.length) photo.form.submit();
  });
})();
