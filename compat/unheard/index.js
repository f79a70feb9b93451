// Status events nobody listens for, and calls to functions nobody exposed, both ways. Gluon
// answers them at once, and apps await such events: the whole exchange must take milliseconds.
// Also: an event the backend sends right after open() reaches a listener that a page script
// adds before `load`.
import * as Gluon from '@gluon-framework/gluon';

const Window = await Gluon.open('page/index.html', { windowSize: [600, 400] });

// Right after open(), before the page has run a single script: a probe the page listens for
// from its first line, then the event whose listener a later page script (late.js) adds.
Window.ipc.send('probe');
const early = Window.ipc.send('early hello', { n: 41 });

Window.ipc.on('page ready', async (fromPage) => {
  // The same as the page did, the other way (calling what the page exposed is gluon-ts's:
  // Gluon has no such direction).
  const toPage = { rounds: [] };
  const outcomes = new Set();
  for (let round = 0; round < 10; round++) {
    const started = performance.now();
    for (let i = 0; i < 10; i++) outcomes.add(`event: ${JSON.stringify(await Window.ipc.send(`status ${i}`, { step: i }))}`);
    for (let i = 0; i < 10; i++) {
      outcomes.add(`call: ${await Window.ipcPage[`notExposed${i}`]().then((value) => `resolved ${JSON.stringify(value)}`, (error) => error.name)}`);
    }
    toPage.rounds.push(Math.round((performance.now() - started) * 10) / 10);
  }
  toPage.outcomes = [...outcomes];
  console.log(JSON.stringify({ early: await early, fromPage, toPage }));
  await Window.close();
});
