import { of } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
it('toolchain works', marbles((m) => {
  m.expect(of(1)).toBeObservable('(a|)', { a: 1 });
}));
