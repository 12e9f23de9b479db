// The desktop's English texts, read from DesktopText.resx, for the tests of the desktop's pure modules.
import { readFileSync } from 'node:fs';
import { setTexts } from '../../Contact.Agent/wwwroot/assets/texts.js';

const resx = readFileSync(new URL('../../Contact.Agent/Desktop/DesktopText.resx', import.meta.url), 'utf8');
const entities = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const texts = {};
for (const [, name, value] of resx.matchAll(/<data name="([^"]+)"[^>]*>\s*<value>([\s\S]*?)<\/value>/g)) {
  texts[name] = value.replace(/&(lt|gt|amp|quot|apos);/g, (m, e) => entities[e]);
}
setTexts(texts);

export default texts;
