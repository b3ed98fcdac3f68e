import { aggregateTransferStage, conversationStep, type ConversationState } from './transfer-conversation.js';

describe('pension transfer conversation', () => {
  it('walks the transfer-in side through its three legs', () => {
    expect(conversationStep('in', 'leg1-review', 'contact-letter-issued')).toEqual({ state: 'letter-issued', leg: 2 });
    expect(conversationStep('in', 'letter-issued', 'information-sheet-received')).toEqual({ state: 'sheet-received', leg: 3 });
    expect(conversationStep('in', 'sheet-received', 'funds-received')).toEqual({ state: 'funds-received', leg: 3 });
    expect(conversationStep('in', 'funds-received', 'account-merged')).toEqual({ state: 'merged', leg: 0 });
  });

  it('ends a conversation refused at leg 1 or at leg 2', () => {
    expect(conversationStep('in', 'leg1-review', 'transfer-refused').state).toBe('refused');
    expect(conversationStep('in', 'letter-issued', 'transfer-refused').state).toBe('refused');
    expect(conversationStep('out', 'letter-received', 'transfer-refused').state).toBe('refused');
  });

  it('holds a sheet that does not add up on the transfer-out side until a corrected one comes', () => {
    const held = conversationStep('out', 'letter-received', 'information-sheet-invalid');
    expect(held).toEqual({ state: 'sheet-invalid', leg: 2 });
    expect(conversationStep('out', held.state, 'information-sheet-issued')).toEqual({ state: 'sheet-issued', leg: 0 });
  });

  it('refuses steps out of order with CASE_TRANSITION_INVALID', () => {
    const invalid = expect.objectContaining({ code: 'CASE_TRANSITION_INVALID' });
    expect(() => conversationStep('in', 'leg1-review', 'account-merged')).toThrow(invalid);
    expect(() => conversationStep('in', 'merged', 'transfer-refused')).toThrow(invalid);
    expect(() => conversationStep('out', 'sheet-issued', 'information-sheet-issued')).toThrow(invalid);
    expect(() => conversationStep('in', 'letter-issued', 'information-sheet-issued')).toThrow(invalid);
  });

  it('sums the conversations up into the case stage: the earliest leg under way, then the outcome', () => {
    const stage = (...states: ConversationState[]) => aggregateTransferStage(states);
    expect(stage('leg1-review', 'letter-issued')).toBe('in-review');
    expect(stage('letter-issued', 'sheet-received')).toBe('awaiting-transfer-out');
    expect(stage('funds-received', 'merged')).toBe('merging');
    expect(stage('merged', 'refused')).toBe('completed');
    expect(stage('refused', 'refused')).toBe('rejected');
  });
});
