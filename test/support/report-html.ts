/**
 * Checks on a rendered report.html shared by the report suites: valid HTML (html-validate's
 * standard and document rules) and nothing in it but the renderer's own markup, so a value
 * that slipped through unescaped shows up as a foreign tag or attribute.
 */
import { HtmlValidate } from "html-validate";

/** Every element and attribute the renderer writes; anything else came from the data. */
const OWN_TAGS = new Set(["html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "dl", "dt", "dd", "nav", "ul", "li", "a", "main", "section", "div", "table", "thead", "tbody", "tr", "th", "td", "code", "span", "footer"]);
const OWN_ATTRIBUTES = new Set(["lang", "charset", "http-equiv", "content", "name", "aria-labelledby", "aria-label", "id", "href", "class", "scope"]);

/** html-validate's messages for the page (empty when it is valid HTML5). */
export async function htmlProblems(html: string): Promise<string[]> {
  const report = await new HtmlValidate({ extends: ["html-validate:standard", "html-validate:document"] }).validateString(html);
  return report.results.flatMap((result) => result.messages.map((message) => `${message.ruleId} at ${message.line}:${message.column}: ${message.message}`));
}

/** Tags and attributes in the page that the renderer does not write, and any href leaving the page. */
export function foreignMarkup(html: string): string[] {
  const found: string[] = [];
  for (const [, name, attributes] of html.matchAll(/<\/?([A-Za-z][\w-]*)([^>]*)>/g)) {
    if (!OWN_TAGS.has(name!.toLowerCase())) found.push(`<${name}>`);
    for (const [, attribute] of attributes!.matchAll(/([^\s=/]+)\s*(?:=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g)) {
      if (!OWN_ATTRIBUTES.has(attribute!.toLowerCase())) found.push(`${name} ${attribute}`);
    }
  }
  for (const [, href] of html.matchAll(/href="([^"]*)"/g)) if (!href!.startsWith("#")) found.push(`href ${href}`);
  return found;
}
