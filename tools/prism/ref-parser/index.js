//! Prism's dereferencer, swapped (through `overrides` in ../package.json) for a maintained one
//! that keeps `$ref`s where dereferencing would blow up.
//!
//! Prism calls only `new $RefParser().dereference(pathOrDocument, { resolve: { http } })` and
//! then `decycle`s the result, which copies every shared object once per path that reaches it.
//! Two real specs never loaded: the 9.2.7 fork Prism pins re-crawled every object along each
//! path (stripe.com, presalytics.io ooxml: no start within 300 s), and even the upstream parser
//! (14.x, under a second on both) leaves a graph whose copy-per-path is astronomically large.
//! So: dereference with the upstream parser; when the tree `decycle` would build passes
//! `TREE_LIMIT` nodes, hand Prism the bundled document instead (internal `$ref`s kept), which
//! it resolves lazily while validating and generating. Every other spec loads exactly as before.
"use strict";

const { $RefParser } = require("@apidevtools/json-schema-ref-parser");

/** Nodes in the tree `decycle` would build, above which the document is served bundled. */
const TREE_LIMIT = 2_000_000;

/**
 * Nodes in the tree `decycle` would copy `root` into, counted by walking it the way `decycle`
 * does (an object already on the path becomes a `$ref`), and stopping just past `limit`.
 */
function treeSize(root, limit) {
  const onPath = new Set();
  let count = 0;
  const visit = (node) => {
    count += 1;
    if (count > limit || node === null || typeof node !== "object" || onPath.has(node)) return;
    onPath.add(node);
    for (const child of Object.values(node)) {
      visit(child);
      if (count > limit) break;
    }
    onPath.delete(node);
  };
  visit(root);
  return count;
}

class DereferenceOrBundle extends $RefParser {
  async dereference(document, options) {
    const dereferenced = await new $RefParser().dereference(document, options);
    if (treeSize(dereferenced, TREE_LIMIT) <= TREE_LIMIT) {
      return dereferenced;
    }
    return new $RefParser().bundle(document, options);
  }
}

module.exports = DereferenceOrBundle;
module.exports.default = DereferenceOrBundle;
module.exports.treeSize = treeSize;
