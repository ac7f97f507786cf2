import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './app';
import { checkSession } from './api/session';

render(<App />, document.getElementById('app')!);
void checkSession();
