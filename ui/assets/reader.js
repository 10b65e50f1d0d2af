// The reader: a PDF page with the cited passage highlighted and a transparent text layer
// to select and copy from, or a document read whole with the cited passage marked; a
// zoom, and a link to copy that opens the same place again. Everything comes in `data`
// (the document's HTML is built and escaped by the app); nothing is loaded from elsewhere.
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
const zoomOf = new WeakMap(); // the reader's zoom survives a rerun of the app
const observerOf = new WeakMap(); // one resize observer per reader, whatever it shows

function percent(value) {
  return `${(value * 100).toFixed(3)}%`;
}

function place(element, box) {
  const [x0, y0, x1, y1] = box;
  element.style.left = percent(x0);
  element.style.top = percent(y0);
  element.style.width = percent(x1 - x0);
  element.style.height = percent(y1 - y0);
}

// Size each transparent word to cover the printed one (font size from its height, a
// horizontal stretch to its width), so a selection follows the page.
function fitText(layer, page) {
  const width = page.clientWidth;
  const height = page.clientHeight;
  if (!width || !height) return;
  const context = document.createElement("canvas").getContext("2d");
  for (const span of layer.children) {
    const size = Number(span.dataset.h) * height;
    span.style.fontSize = `${size}px`;
    context.font = `${size}px sans-serif`;
    const natural = context.measureText(span.dataset.word).width || 1;
    span.style.transform = `scaleX(${(Number(span.dataset.w) * width) / natural})`;
  }
}

function textLayer(layer, words) {
  layer.replaceChildren();
  words.forEach((word, index) => {
    const [x0, y0, x1, y1] = word.box;
    const next = words[index + 1];
    const newLine = next && next.box[1] >= y1 - (y1 - y0) / 2;
    const span = document.createElement("span");
    span.textContent = word.text + (newLine ? "\n" : " ");
    span.dataset.word = word.text;
    span.dataset.w = String(x1 - x0);
    span.dataset.h = String(y1 - y0);
    span.style.left = percent(x0);
    span.style.top = percent(y0);
    layer.appendChild(span);
  });
}

function showPage(root, data, scrollTo) {
  const page = root.querySelector(".page");
  const image = page.querySelector("img");
  const marks = page.querySelector(".marks");
  const layer = page.querySelector(".text-layer");
  root.dataset.source = data.source || "";
  root.dataset.highlights = String(data.highlights.length);
  image.alt = data.alt;
  page.style.aspectRatio = `1 / ${data.aspect}`;
  marks.replaceChildren(
    ...data.highlights.map((box) => {
      const mark = document.createElement("div");
      mark.className = "mark";
      place(mark, box);
      return mark;
    })
  );
  textLayer(layer, data.words);
  observerOf.get(root)?.disconnect();
  const resized = new ResizeObserver(() => fitText(layer, page));
  resized.observe(page);
  observerOf.set(root, resized);
  const shown = () => {
    fitText(layer, page);
    scrollTo(marks.firstElementChild);
  };
  image.onload = shown;
  if (image.getAttribute("src") !== data.image) image.src = data.image;
  else shown();
  return () => resized.disconnect();
}

function showText(root, data, scrollTo) {
  const body = root.querySelector(".reader-text");
  if (body.dataset.key !== data.key) {
    body.innerHTML = data.html;
    body.dataset.key = data.key;
  }
  const cited = body.querySelector(".cited");
  root.dataset.highlights = cited ? "1" : "0";
  scrollTo(cited, () => {
    body.scrollTop = cited.offsetTop - 16;
  });
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".reader");
  const labels = data.labels;
  const isPage = data.kind === "page";
  root.dataset.kind = data.kind;
  root.querySelector(".scroller").hidden = !isPage;
  root.querySelector(".reader-text").hidden = isPage;

  const toolbar = root.querySelector(".toolbar");
  const out = toolbar.querySelector(".zoom-out");
  const into = toolbar.querySelector(".zoom-in");
  const level = toolbar.querySelector(".zoom-level");
  const copy = toolbar.querySelector(".copy-link");
  const link = toolbar.querySelector(".link");
  const status = toolbar.querySelector(".status");
  out.textContent = "−";
  out.title = labels.zoom_out;
  out.setAttribute("aria-label", labels.zoom_out);
  into.textContent = "+";
  into.title = labels.zoom_in;
  into.setAttribute("aria-label", labels.zoom_in);
  copy.textContent = labels.copy_link;
  link.setAttribute("aria-label", labels.link);
  link.value = new URL(data.link, window.location.origin).href;
  status.textContent = "";

  let zoom = zoomOf.get(root) ?? 1;
  const apply = () => {
    if (isPage) root.querySelector(".page").style.width = percent(zoom);
    else root.querySelector(".reader-text").style.fontSize = percent(zoom);
    level.textContent = `${Math.round(zoom * 100)} %`;
    out.disabled = zoom <= ZOOMS[0];
    into.disabled = zoom >= ZOOMS[ZOOMS.length - 1];
    root.dataset.zoom = String(zoom);
    zoomOf.set(root, zoom);
  };
  const step = (direction) => {
    const index = ZOOMS.indexOf(zoom) + direction;
    zoom = ZOOMS[Math.min(Math.max(index, 0), ZOOMS.length - 1)];
    apply();
  };
  out.onclick = () => step(-1);
  into.onclick = () => step(1);
  apply();

  copy.onclick = async () => {
    link.select();
    try {
      await navigator.clipboard.writeText(link.value);
    } catch {
      document.execCommand("copy"); // no Clipboard API outside https and localhost
    }
    status.textContent = labels.link_copied;
  };

  // bring the cited passage into view once for each place shown, not on every rerun
  const scrollTo = (element, within = () => {}) => {
    if (!element || root.dataset.shown === data.link) return;
    root.dataset.shown = data.link;
    within();
    element.scrollIntoView({ block: isPage ? "center" : "nearest", behavior: "instant" });
  };
  return isPage ? showPage(root, data, scrollTo) : showText(root, data, scrollTo);
}
