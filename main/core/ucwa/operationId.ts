// operationIds correlate a POST with the events of the operation it starts (the 201 may arrive
// after them). UCWA caps them at 50 characters; a dash-less UUID is 32.
import { randomUUID } from 'node:crypto';

export function newOperationId(): string {
  return randomUUID().replace(/-/g, '');
}
