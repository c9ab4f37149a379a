// One bad record must never blank a window (issue 11): each pane, and each row of the long lists,
// renders inside a boundary that shows what it could not show and keeps the rest of the window alive.
// React catches render errors only in class components (react.dev: "Catching rendering errors with
// an error boundary"), hence the one class in the renderer.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What is inside, in words: "the conversation", "this message". */
  what: string;
  /** A row stays one line; a pane offers to try again. */
  compact?: boolean;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // The console is the renderer's log (main forwards it); the stack says which component.
    console.error(`could not show ${this.props.what}: ${error.message}`, info.componentStack ?? '');
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const reason = error.message.slice(0, 200);
    if (this.props.compact) {
      return <div className="render-error compact" role="note">Could not show {this.props.what} ({reason}).</div>;
    }
    return (
      <div className="render-error banner failed" role="alert">
        <span>Could not show {this.props.what}: {reason}</span>
        <button type="button" onClick={() => this.setState({ error: null })}>Try again</button>
      </div>
    );
  }
}
