import { qrSvg } from './qr-svg.js';

describe('qrSvg', () => {
  it('draws the case number as a standalone SVG QR code with the number as its title', () => {
    const svg = qrSvg('CQ-20261123-7K3F9ZQ2M8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>CQ-20261123-7K3F9ZQ2M8</title>');
    // Version 2 (25 modules) fits 22 bytes at level M; with the 4-module quiet zone: 33.
    expect(svg).toContain('viewBox="0 0 33 33"');
    expect(svg.match(/h1v1h-1z/g)?.length).toBeGreaterThan(100);
  });

  it('escapes markup in the title', () => {
    expect(qrSvg('<a>&')).toContain('<title>&#60;a&#62;&#38;</title>');
  });
});
