import type { SscApplyRequest } from './canonical.js';

/** A canonical card application for specs (excluded from the build, like the specs). */
export const cardRequest: SscApplyRequest = {
  service: 'ssc.apply',
  kind: 'new',
  applicant: { idNumber: '110105194912310029', name: '王五', phone: '13900001111' },
  issuingRegion: '510104',
  deliveryAddress: { region: '510104', line: '春熙路 1 号', postcode: '610021' },
  photoRef: 'PHOTO-0001',
  materials: [],
};
