(function () {
  var endpoint = new URL("../graphql", window.location.href).toString();
  var defaultQuery = [
    "# govgraph：城管、民政、法律援助，一个查询入口",
    "# one schema over urban management, civil affairs and legal aid",
    "# 无令牌即公众角色，看不到居民 / no token: the public role, who sees no residents",
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
  var hint = document.getElementById("hint");
  var bar = document.getElementById("tokens");
  // A plain fetcher (the gateway serves no @defer): one answer per request, which the hint reads.
  var base = GraphiQL.createFetcher({ url: endpoint, enableIncrementalDelivery: false });

  function hasToken(headers) {
    return Object.keys(headers || {}).some(function (name) {
      return name.toLowerCase() === "authorization" && String(headers[name]).trim() !== "";
    });
  }

  // An answer with nothing in it: a zero count, an empty list, a null field, or a refusal.
  function looksEmpty(value) {
    if (value === null) return true;
    if (Array.isArray(value)) return value.length === 0 || value.some(looksEmpty);
    if (typeof value === "object") {
      if (value.totalCount === 0) return true;
      return Object.keys(value).some(function (key) { return looksEmpty(value[key]); });
    }
    return false;
  }

  function fetcher(params, options) {
    var anonymous = !hasToken(options && options.headers);
    hint.hidden = true;
    return Promise.resolve(base(params, options)).then(function (result) {
      if (anonymous && result && typeof result === "object" &&
          params.operationName !== "IntrospectionQuery" &&
          (looksEmpty(result.data) || (result.errors && result.errors.length))) {
        hint.hidden = false;
      }
      return result;
    });
  }

  var root = ReactDOM.createRoot(document.getElementById("explorer"));
  var mounted = 0;
  function render(headers) {
    mounted += 1;
    root.render(React.createElement(GraphiQL, {
      key: mounted,
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      headers: headers,
      shouldPersistHeaders: false,
    }));
  }

  function offer(tokens) {
    var labels = Object.keys(tokens);
    if (!labels.length) return;
    bar.hidden = false;
    var none = document.createElement("button");
    none.textContent = "无令牌 / public";
    none.onclick = function () { render(""); };
    bar.appendChild(none);
    labels.forEach(function (label) {
      var button = document.createElement("button");
      button.textContent = label;
      button.title = "Authorization: Bearer …";
      button.onclick = function () {
        render(JSON.stringify({ Authorization: "Bearer " + tokens[label] }, null, 2));
      };
      bar.appendChild(button);
    });
  }

  render("");
  fetch("./tokens.json").then(function (response) {
    return response.ok ? response.json() : {};
  }).then(offer, function () { /* no demo tokens: a configured gateway */ });
})();
