/** The pure parts of the JSON-RPC scenario library (no k6 globals): the operation mix and the ladder steps. */
import { describe, expect, it } from 'vitest';
import { parseMix, pick } from '../scenarios/lib/jsonrpc-mix.ts';
import { ladderScenarios, parseSteps } from '../scenarios/lib/jsonrpc-ladder.ts';

describe('parseMix / pick', () => {
  it('turns weights into shares and picks by them', () => {
    const mix = parseMix('echo=3, tools/call=1,mcp=0');
    expect(mix.entries.map((e) => [e.op, e.method])).toEqual([['echo', 'echo'], ['tools/call', 'tools/call']]);
    expect(pick(mix, 0).op).toBe('echo');
    expect(pick(mix, 0.749).op).toBe('echo');
    expect(pick(mix, 0.75).op).toBe('tools/call');
    expect(pick(mix, 0.999999).op).toBe('tools/call');
    const counts = { echo: 0, 'tools/call': 0 } as Record<string, number>;
    for (let i = 0; i < 1000; i++) counts[pick(mix, i / 1000).op]!++;
    expect(counts).toEqual({ echo: 750, 'tools/call': 250 });
    expect(parseMix('mcp-progress').entries[0]).toMatchObject({ op: 'mcp-progress', method: 'tools/call' });
  });

  it('rejects unknown operations, bad weights and an all-zero mix, naming them', () => {
    expect(() => parseMix('echo=1,subtract=2')).toThrow('unknown operation "subtract"; choose from echo, compute');
    expect(() => parseMix('echo=-1')).toThrow('weight of echo');
    expect(() => parseMix('echo=0')).toThrow('no operation with a weight above 0');
  });
});

describe('parseSteps / ladderScenarios', () => {
  it('parses increasing VU counts and schedules the steps back to back, tagged', () => {
    expect(parseSteps('1, 10,50')).toEqual([1, 10, 50]);
    const s = ladderScenarios([1, 10], 5);
    expect(s.step_1).toMatchObject({ executor: 'constant-vus', vus: 1, duration: '5s', startTime: '0s', tags: { step: '1' } });
    expect(s.step_10).toMatchObject({ vus: 10, startTime: '6s', tags: { step: '10' } });
  });

  it.each(['', '10,1', '0,5', '1,x', '1,1'])('rejects %j', (text) => {
    expect(() => parseSteps(text)).toThrow('JSONRPC_LADDER_STEPS');
  });
});
