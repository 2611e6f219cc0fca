// asl-validator ships no type declarations; this covers the call the tests make.
declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: { 'Error code': string; Message: string }[];
  }
  function aslValidator(definition: unknown): AslValidationResult;
  export = aslValidator;
}
