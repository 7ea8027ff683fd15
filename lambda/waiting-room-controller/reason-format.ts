/** Numbers as the rate decisions' reasons print them: rates to a tenth, shares as whole percents. */
export const round = (n: number): number => Math.round(n * 10) / 10;
export const percent = (share: number): string => `${Math.round(share * 100)}%`;
