// Tells the CSS that JavaScript runs, before anything is shown, as GOV.UK Frontend's page template does with an
// inline script (which the Content-Security-Policy forbids here): "js-enabled" for the components that change
// with JavaScript, "govuk-frontend-supported" when the browser runs ES modules, which GOV.UK Frontend's JS is.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
