/** CloudFormation output keys of the sale stack when the waiting room is deployed; `saleday queue` finds the controller through them. */
export const WAITING_ROOM_STACK_OUTPUTS = {
  controllerFunctionName: 'WaitingRoomControllerFunctionName',
  keyValueStoreArn: 'WaitingRoomKeyValueStoreArn',
} as const;
