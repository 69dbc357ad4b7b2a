(function () {
  var endpoint = new URL("../graphql", window.location.href).toString();
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var defaultQuery = [
    "# govgraph：城管、民政、法律援助，一个查询入口",
    "# one schema over urban management, civil affairs and legal aid",
    "{",
    "  grids(first: 5) {",
    "    edges {",
    "      node {",
    "        code",
    "        name",
    "        leader { name }",
    "        residents(first: 3) {",
    "          totalCount",
    "          edges { node { name age tags { label } } }",
    "        }",
    "      }",
    "    }",
    "  }",
    "}",
  ].join("\n");
  var root = ReactDOM.createRoot(document.getElementById("explorer"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
