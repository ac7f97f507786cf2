import { useAuthState, useHashRoute, usePauseWhenHidden } from './hooks';
import type { Route } from './domain/routes';
import { Header } from './views/header';
import { LoginView } from './views/login-view';
import { OverviewView } from './views/overview-view';
import { TasksView } from './views/tasks-view';
import { TaskDetailView } from './views/task-detail-view';
import { WorkflowsView } from './views/workflows-view';
import { WorkflowDetailView } from './views/workflow-detail-view';
import { TimelineView } from './views/timeline-view';
import { ClusterView } from './views/cluster-view';
import { AnomaliesView } from './views/anomalies-view';
import { ModelsView } from './views/models-view';
import { QueuesView } from './views/queues-view';

function View({ route }: { route: Route }) {
  switch (route.name) {
    case 'overview':
      return <OverviewView />;
    case 'tasks':
      return <TasksView route={route} />;
    case 'task':
      return <TaskDetailView id={route.id} />;
    case 'workflows':
      return <WorkflowsView route={route} />;
    case 'workflow':
      return <WorkflowDetailView id={route.id} />;
    case 'timeline':
      return <TimelineView />;
    case 'cluster':
      return <ClusterView />;
    case 'anomalies':
      return <AnomaliesView />;
    case 'models':
      return <ModelsView />;
    case 'queues':
      return <QueuesView />;
    case 'not-found':
      return (
        <main>
          <section class="wide">
            <h2>Not found</h2>
            <p>
              Nothing at <code>#/{route.path}</code>. <a href="#/">Back to the overview</a>.
            </p>
          </section>
        </main>
      );
  }
}

export function App() {
  const route = useHashRoute();
  const auth = useAuthState();
  usePauseWhenHidden();
  if (auth === 'required') return <LoginView />;
  return (
    <>
      <Header route={route} auth={auth} />
      <View route={route} />
    </>
  );
}
