// The tab's token, made from the browser's cryptographic random source before the app's own
// scripts run. Reflex would otherwise make it with Math.random(); the server binds a tab's state
// to its login session, so a token alone opens nothing, but it should not be guessable either.
(function () {
  try {
    if (window.sessionStorage.getItem("token")) return;
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // RFC 9562 version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant
    var hex = Array.prototype.map
      .call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); })
      .join("");
    window.sessionStorage.setItem(
      "token",
      [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-")
    );
  } catch (e) {
    // No sessionStorage (a locked-down browser): Reflex makes its own token.
  }
})();
