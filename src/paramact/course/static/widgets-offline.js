// Read by require.js when it loads (vendor/require.js comes next): resolve the vendored widget manager
// to this site's copy, so that it also loads its icon fonts from here, with no outside request.
var require = {
  paths: {
    "@jupyter-widgets/html-manager/dist": document.documentElement.dataset.content_root + "_static/vendor/html-manager",
  },
};
