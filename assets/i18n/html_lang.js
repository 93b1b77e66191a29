// Before the first paint: <html lang> says the language the visitor chose in this browser
// (the key LocaleState keeps it under), so the page is announced in its language from the
// start. The live page keeps it in step afterwards (assets/i18n/language_sync.js).
(function () {
  try {
    var lang = window.localStorage.getItem("microblog_lang");
    if (lang === "zh") lang = "zh-Hans";
    if (lang === "en" || lang === "es" || lang === "zh-Hans") document.documentElement.lang = lang;
  } catch (e) {
    // storage disabled: the live page sets it when the state arrives
  }
})();
