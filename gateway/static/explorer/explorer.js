(function () {
  var endpoint = new URL("../graphql", window.location.href).toString();
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var defaultQuery = [
    "# govgraph: one schema over urban management, civil affairs and legal aid",
    "{",
    "  grids(first: 5) {",
    "    edges { node { code name workers { name role } residents(first: 3) { totalCount edges { node { name age tags } } } } }",
    "  }",
    "}",
  ].join("\n");
  var root = ReactDOM.createRoot(document.getElementById("explorer"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
