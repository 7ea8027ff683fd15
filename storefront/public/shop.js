// The shop page: lists products, shows live stock, adds to cart and checks out with an
// Idempotency-Key, so a double click or a retried request never buys twice. Who the shopper is comes
// from the session cookie (HttpOnly, sent by the browser): the page mints one through
// POST /api/session when it has none, and the gate proves it.
(function () {
  'use strict';
  var headers = { 'content-type': 'application/json' };
  var statusLine = document.getElementById('status');
  // The cookie is HttpOnly (scripts cannot read it): when it expires is remembered beside it.
  var SESSION_EXPIRY_KEY = 'saleday-session-expires-at';

  function ensureSession() {
    var expiresAt = Number(localStorage.getItem(SESSION_EXPIRY_KEY) || 0);
    if (expiresAt > Date.now()) return Promise.resolve();
    return fetch('/api/session', { method: 'POST', credentials: 'same-origin' })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body && body.expiresInSeconds)
          localStorage.setItem(SESSION_EXPIRY_KEY, String(Date.now() + body.expiresInSeconds * 1000));
      })
      .catch(function () {
        /* without a session the gate counts this browser by its IP */
      });
  }

  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.className = isError ? 'error' : '';
  }

  function price(cents) {
    return '$' + (cents / 100).toFixed(2);
  }

  function retryHint(response) {
    var after = response.headers.get('retry-after');
    return after ? ' Try again in ' + after + ' s.' : '';
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showStock(product, label) {
    fetch('/api/products/' + encodeURIComponent(product.id), { headers: headers })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        label.textContent = body ? body.stock + ' left' : 'stock unavailable';
      })
      .catch(function () {
        label.textContent = 'stock unavailable';
      });
  }

  function addToCart(product) {
    fetch('/api/cart', {
      method: 'POST',
      headers: headers,
      body: JSON.stringify({ productId: product.id, quantity: 1 }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error('Could not add to cart (' + response.status + ').' + retryHint(response));
        return response.json();
      })
      .then(function (cart) {
        var count = cart.items.reduce(function (sum, item) {
          return sum + item.quantity;
        }, 0);
        document.getElementById('cart-count').textContent = String(count);
        say(product.name + ' added to your cart.');
      })
      .catch(function (error) {
        say(error.message, true);
      });
  }

  function buy(product, button, label) {
    button.disabled = true;
    var key = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
    fetch('/api/checkout', {
      method: 'POST',
      headers: Object.assign({ 'idempotency-key': key }, headers),
      body: JSON.stringify({ productId: product.id, quantity: 1 }),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            if (response.status === 201) {
              say('Order ' + body.orderId + ' confirmed: ' + product.name + '.');
              label.textContent = body.remainingStock + ' left';
            } else if (response.status === 409 && body.error === 'sold-out') {
              say(product.name + ' is sold out.', true);
              label.textContent = 'sold out';
            } else {
              say('Checkout failed (' + (body.error || response.status) + ').' + retryHint(response), true);
            }
          });
      })
      .catch(function () {
        say('Network error: your order was not placed.', true);
      })
      .then(function () {
        button.disabled = false;
      });
  }

  function renderProduct(product) {
    var card = element('article', 'product');
    card.appendChild(element('h2', '', product.name));
    card.appendChild(element('p', '', product.description));
    card.appendChild(element('p', 'price', price(product.priceCents)));
    var stock = element('p', 'stock', 'checking stock…');
    card.appendChild(stock);
    var actions = element('div', 'actions');
    var cartButton = element('button', 'secondary', 'Add to cart');
    cartButton.type = 'button';
    cartButton.addEventListener('click', function () {
      addToCart(product);
    });
    var buyButton = element('button', '', 'Buy now');
    buyButton.type = 'button';
    buyButton.addEventListener('click', function () {
      buy(product, buyButton, stock);
    });
    actions.appendChild(cartButton);
    actions.appendChild(buyButton);
    card.appendChild(actions);
    showStock(product, stock);
    return card;
  }

  function loadRecommendations() {
    fetch('/api/recommendations', { headers: headers })
      .then(function (response) {
        return response.ok ? response.json() : { items: [] };
      })
      .then(function (body) {
        if (!body.items || body.items.length === 0) return;
        var list = document.getElementById('recommendation-list');
        body.items.forEach(function (item) {
          list.appendChild(element('li', '', item.name + ' — ' + price(item.priceCents)));
        });
        document.getElementById('recommendations').hidden = false;
      })
      .catch(function () {
        /* recommendations are optional */
      });
  }

  document.getElementById('cart-button').addEventListener('click', function () {
    fetch('/api/cart', { headers: headers })
      .then(function (response) {
        return response.json();
      })
      .then(function (cart) {
        say(cart.items.length ? 'Cart total: ' + price(cart.totalCents) : 'Your cart is empty.');
      })
      .catch(function () {
        say('Cart unavailable right now.', true);
      });
  });

  ensureSession()
    .then(function () {
      return fetch('/api/products');
    })
    .then(function (response) {
      if (!response.ok) throw new Error('The shop is busy (' + response.status + ').' + retryHint(response));
      return response.json();
    })
    .then(function (body) {
      var grid = document.getElementById('products');
      body.products.forEach(function (product) {
        grid.appendChild(renderProduct(product));
      });
      loadRecommendations();
    })
    .catch(function (error) {
      say(error.message, true);
    });
})();
