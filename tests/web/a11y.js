// A small accessibility check of the page as rendered (axe-core is not available here):
// every form control has a label, the page has its landmarks (one main, a banner, labelled
// navigation, one h1), images have text, and text has enough contrast with what is behind
// it (WCAG 2 AA: 4.5:1, 3:1 for large text). Returns a list of problems (empty: none).
() => {
  const problems = [];
  const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
    && getComputedStyle(e).visibility !== "hidden";
  // labels
  for (const e of document.querySelectorAll("input, select, textarea")) {
    if (e.type === "hidden" || !visible(e)) continue;
    const labelled = (e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`))
      || e.closest("label") || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby")
      || e.getAttribute("title");
    if (!labelled) problems.push(`no label: ${e.outerHTML.slice(0, 80)}`);
  }
  for (const b of document.querySelectorAll("button, a[href]")) {
    if (visible(b) && !(b.textContent.trim() || b.getAttribute("aria-label") || b.querySelector("img[alt]")))
      problems.push(`no name: ${b.outerHTML.slice(0, 80)}`);
  }
  for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) problems.push("img without alt");
  // landmarks
  if (document.querySelectorAll("main").length !== 1) problems.push("not one main landmark");
  if (!document.querySelector("header")) problems.push("no banner (header)");
  for (const nav of document.querySelectorAll("nav"))
    if (!nav.getAttribute("aria-label") && !nav.getAttribute("aria-labelledby")) problems.push("nav without a label");
  if (document.querySelectorAll("h1").length !== 1) problems.push("not one h1");
  if (!document.documentElement.lang) problems.push("no lang on html");
  const ids = {};
  for (const e of document.querySelectorAll("[id]")) {
    if (ids[e.id]) problems.push(`duplicate id ${e.id}`);
    ids[e.id] = true;
  }
  // contrast
  const rgb = text => (text.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const behind = e => {
    for (let n = e; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const e = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !e || seen.has(e) || !visible(e)) continue;
    seen.add(e);
    if (e.closest(".skip") && document.activeElement !== e) continue;  // off screen until focused
    const style = getComputedStyle(e);
    const fg = rgb(style.color).slice(0, 3), bg = behind(e);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: "${e.textContent.trim().slice(0, 40)}"`);
  }
  return problems;
}
