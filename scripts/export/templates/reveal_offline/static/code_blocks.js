// Slides (scripts/export/export_course.py): put each line of every code block in its
// own <span class="code-line" style="--indent: N">, so that code_blocks.css can wrap
// a long line under its own indentation. Runs once, before reveal.js lays out the
// slides. Each line keeps its newline, so the text of a block stays the same
// (copying gives the code) and, without the CSS, the block looks as before.
(function () {
  "use strict";

  var TAB = 8;      // as in code_blocks.css (tab-size)
  var MAX_HANG = 24; // a deeper indentation would leave too little room for the rest

  // Width of the leading spaces and tabs of ``text``, in characters.
  function indentation(text) {
    var column = 0;
    for (var i = 0; i < text.length; i++) {
      if (text[i] === " ") column += 1;
      else if (text[i] === "\t") column += TAB - (column % TAB);
      else break;
    }
    return Math.min(column, MAX_HANG);
  }

  // Every newline in ``root`` as [text node, offset]. Highlighted code has newlines
  // inside token spans too (docstrings, multi-line strings).
  function newlines(root) {
    var found = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      var node = walker.currentNode;
      for (var i = node.data.indexOf("\n"); i >= 0; i = node.data.indexOf("\n", i + 1)) {
        found.push([node, i]);
      }
    }
    return found;
  }

  function lineElement(fragment) {
    var line = document.createElement("span");
    line.className = "code-line";
    line.style.setProperty("--indent", String(indentation(fragment.textContent)));
    line.appendChild(fragment);
    return line;
  }

  // Replace the content of ``root`` by one element per line (newline included).
  // Cloning a range keeps the token spans a line cuts through, so the highlighting
  // is unchanged.
  function splitLines(root) {
    var range = document.createRange();
    var lines = [];
    range.setStart(root, 0);
    newlines(root).forEach(function (pos) {
      range.setEnd(pos[0], pos[1] + 1);
      lines.push(range.cloneContents());
      range.setStart(pos[0], pos[1] + 1);
    });
    range.setEnd(root, root.childNodes.length);
    var last = range.cloneContents();
    if (last.textContent) lines.push(last); // a last line without a newline
    root.replaceChildren.apply(root, lines.map(lineElement));
  }

  document.querySelectorAll(".reveal .slides pre").forEach(function (pre) {
    // A markdown code block is <pre><code>: split inside <code>, which carries its styles.
    var code = pre.querySelector(":scope > code");
    splitLines(code || pre);
  });
})();
