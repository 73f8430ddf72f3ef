'use strict';
// Paging 125 subaccounts (plus the main account: 126 records) with the
// official Node SDK at pageSize 50: each(), list(), page() + nextPage(),
// previousPage(), getPage(). Every subaccount must be seen exactly once, in
// creation order.

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer, recorder } = require('../lib/harness');

const N = 125;
const PAGE_SIZE = 50;
const GROUP = 'node-every-third';
let main;
let client;
let all;
let subs;

const state = useServer(test, 'paging', async (server) => {
  main = server.createMainAccount('Node paging main');
  client = server.client(main.sid, main.auth_token);
  subs = [];
  for (let i = 0; i < N; i++) {
    const name = i % 3 === 0 ? GROUP : `node-paging-${String(i).padStart(3, '0')}`;
    subs.push((await client.api.v2010.accounts.create({ friendlyName: name })).sid);
  }
  assert.equal(new Set(subs).size, N);
  all = [main.sid, ...subs];
});

function listGets(from) {
  return recorder.exchanges
    .slice(from)
    .filter((e) => e.method === 'GET' && new URL(e.url).pathname === '/2010-04-01/Accounts.json');
}

test('list() sees every subaccount once, in creation order', async () => {
  const from = recorder.exchanges.length;
  const records = await client.api.v2010.accounts.list({ pageSize: PAGE_SIZE });
  assert.deepEqual(records.map((r) => r.sid), all);
  const gets = listGets(from);
  assert.equal(gets.length, 3, gets.map((g) => g.url).join('\n'));
  assert.deepEqual(gets.map((g) => JSON.parse(g.body).accounts.length), [50, 50, 26]);
  // The first request carried PageSize; the others are next_page_uri.
  assert.equal(new URL(gets[0].url).searchParams.get('PageSize'), '50');
  for (const g of gets.slice(1)) assert.ok(new URL(g.url).searchParams.get('PageToken'), g.url);
});

test('each() sees every subaccount once, in creation order', async () => {
  const seen = [];
  await client.api.v2010.accounts.each({ pageSize: PAGE_SIZE }, (acc) => seen.push(acc.sid));
  assert.deepEqual(seen, all);
});

test('each() with done callback and limit', async () => {
  const seen = [];
  const from = recorder.exchanges.length;
  await new Promise((resolve, reject) => {
    client.api.v2010.accounts.each({
      pageSize: PAGE_SIZE,
      limit: 60,
      callback: (acc) => seen.push(acc.sid),
      done: (err) => (err ? reject(err) : resolve()),
    });
  });
  assert.deepEqual(seen, all.slice(0, 60));
  assert.equal(listGets(from).length, 2);
});

test('list() with a limit', async () => {
  const got = await client.api.v2010.accounts.list({ limit: 7 });
  assert.deepEqual(got.map((r) => r.sid), all.slice(0, 7));
});

test('page() and nextPage() by hand, and the envelope', async () => {
  const pages = [];
  let page = await client.api.v2010.accounts.page({ pageSize: PAGE_SIZE });
  while (page) {
    pages.push(page);
    page = await page.nextPage();
  }
  assert.equal(pages.length, 3);
  assert.deepEqual(pages.map((p) => p.instances.map((i) => i.sid)), [all.slice(0, 50), all.slice(50, 100), all.slice(100)]);
  pages.forEach((p, n) => {
    const e = p._payload;
    assert.deepEqual(Object.keys(e).sort(), ['accounts', 'end', 'first_page_uri', 'next_page_uri', 'page', 'page_size', 'previous_page_uri', 'start', 'uri']);
    assert.equal(e.page, n);
    assert.equal(e.page_size, PAGE_SIZE);
    assert.equal(e.start, n * PAGE_SIZE);
    assert.equal(e.end, n * PAGE_SIZE + e.accounts.length - 1);
    for (const key of ['uri', 'first_page_uri', 'next_page_uri', 'previous_page_uri']) {
      if (e[key] === null) continue;
      assert.ok(e[key].startsWith('/2010-04-01/Accounts.json?'), `${key}: ${e[key]}`);
    }
  });
  assert.equal(pages[0]._payload.previous_page_uri, null);
  assert.equal(pages[2]._payload.next_page_uri, null);
  assert.equal(pages[2].nextPage(), undefined);
  assert.equal(pages[0].nextPageUrl, `${state.server.baseUrl}${pages[0]._payload.next_page_uri}`);

  const back = await pages[2].previousPage();
  assert.deepEqual(back.instances.map((i) => i.sid), all.slice(50, 100));
  const first = await pages[1].previousPage();
  assert.deepEqual(first.instances.map((i) => i.sid), all.slice(0, 50));
  assert.equal(first.previousPage(), undefined);
});

test('getPage() follows a next page URL', async () => {
  const first = await client.api.v2010.accounts.page({ pageSize: PAGE_SIZE });
  const second = await client.api.v2010.accounts.getPage(first.nextPageUrl);
  assert.deepEqual(second.instances.map((i) => i.sid), all.slice(50, 100));
});

test('filtered paging keeps the filter', async () => {
  const want = subs.filter((_, i) => i % 3 === 0);
  assert.equal(want.length, 42);
  const got = await client.api.v2010.accounts.list({ friendlyName: GROUP, pageSize: 10 });
  assert.deepEqual(got.map((r) => r.sid), want);
});

test('PageSize bounds', async () => {
  const big = await client.api.v2010.accounts.page({ pageSize: 1000 });
  assert.deepEqual(big.instances.map((i) => i.sid), all);
  for (const bad of [0, 1001]) {
    let err;
    try {
      await client.api.v2010.accounts.page({ pageSize: bad });
    } catch (e) {
      err = e;
    }
    assert.ok(err, `PageSize=${bad} was accepted`);
    assert.equal(err.status, 400, `PageSize=${bad}: ${err.status} ${err.message}`);
  }
});
