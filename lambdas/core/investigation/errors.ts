/**
 * The errors the API returns, named as Detective's modeled exceptions: the name goes into the
 * `x-amzn-ErrorType` header, which is what AWS SDKs use to raise the matching typed exception.
 * RequestEntityTooLargeException is API Gateway's name for a body over its limits, which Detective does not
 * model: SDKs raise their service's generic exception under that name.
 */
export type ApiErrorType =
  | 'ValidationException'
  | 'RequestEntityTooLargeException'
  | 'ResourceNotFoundException'
  | 'ConflictException'
  | 'TooManyRequestsException'
  | 'AccessDeniedException'
  | 'InternalServerException';

/** Detective's `ErrorCode` enumeration, carried by ValidationException. */
export type ValidationErrorCode = 'INVALID_REQUEST_BODY' | 'INVALID_GRAPH_ARN' | 'INTERNAL_ERROR';

export const HTTP_STATUS: Record<ApiErrorType, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  RequestEntityTooLargeException: 413,
  TooManyRequestsException: 429,
  InternalServerException: 500,
};

export class ApiError extends Error {
  constructor(
    readonly type: ApiErrorType,
    message: string,
    readonly errorCode?: ValidationErrorCode,
  ) {
    super(message);
    this.name = type;
  }

  get statusCode(): number {
    return HTTP_STATUS[this.type];
  }
}

export function validationError(message: string, errorCode: ValidationErrorCode = 'INVALID_REQUEST_BODY'): ApiError {
  return new ApiError('ValidationException', message, errorCode);
}

export function notFound(message: string): ApiError {
  return new ApiError('ResourceNotFoundException', message);
}

export function investigationNotFound(investigationId: string): ApiError {
  return notFound(`Investigation ${investigationId} does not exist.`);
}
